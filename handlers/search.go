package handlers

import (
	"net/url"
	"time"

	"github.com/gofiber/fiber/v2"

	"katalogpes/search"
	"katalogpes/tenants"
)

// queryValues copies the query string (fasthttp reuses its buffers).
func queryValues(c *fiber.Ctx) (url.Values, error) {
	return url.ParseQuery(string(c.Request().URI().QueryString()))
}

// requestQuery parses a search's query string; its tenant is the
// request's (none on the hub), never the query string's.
func requestQuery(c *fiber.Ctx) (url.Values, search.Query, error) {
	values, err := queryValues(c)
	if err != nil {
		return nil, search.Query{}, fiber.ErrBadRequest
	}
	q, err := search.ParseQuery(values)
	if err != nil {
		return nil, search.Query{}, err
	}
	q.Tenant = ""
	if t, ok := tenants.FromContext(c.UserContext()); ok {
		q.Tenant = t.Slug
	}
	return values, q, nil
}

// searchListings serves a region's search and, on the hub, the national
// one. The tenant comes from the request, never from the query string.
func (s *Server) searchListings(c *fiber.Ctx) error {
	_, q, err := requestQuery(c)
	if err != nil {
		return err
	}
	res, err := s.search.Search(c.UserContext(), q)
	if err != nil {
		return err
	}
	return c.JSON(res)
}

func (s *Server) suggest(c *fiber.Ctx) error {
	tenant := ""
	if t, ok := tenants.FromContext(c.UserContext()); ok {
		tenant = t.Slug
	}
	names, err := s.search.Suggest(c.UserContext(), tenant, c.Query("q"))
	if err != nil {
		return err
	}
	if names == nil {
		names = []string{}
	}
	return c.JSON(names)
}

// searchKey hands the browser a tenant token for search-as-you-type; its
// rules confine it to the region's own index of published listings.
func (s *Server) searchKey(c *fiber.Ctx) error {
	t, err := needTenant(c)
	if err != nil {
		return err
	}
	token, expires, err := s.search.TenantToken(t, time.Hour)
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"host": s.search.Host(), "index": s.search.IndexFor(search.ListingsIndex, t.Slug), "token": token, "expires_at": expires.UTC()})
}
