package handlers

import (
	"errors"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"katalogpes/store"
	"katalogpes/tenants"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type   string         `json:"type"`
	Title  string         `json:"title"`
	Status int            `json:"status"`
	Detail string         `json:"detail,omitempty"`
	Errors []ProblemField `json:"errors,omitempty"`
	// Code is our machine-readable message key, stable across languages.
	Code      string `json:"code,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// Claim offers, on a duplicate NIP or KRS, the listing nobody owns
	// that the caller may claim instead.
	Claim *ProblemClaim `json:"claim,omitempty"`
}

// ProblemClaim names a listing that may be claimed.
type ProblemClaim struct {
	ListingID string `json:"listing_id"`
}

// ProblemField is one invalid field.
type ProblemField struct {
	Field   string `json:"field"`
	Message string `json:"message"`
	Code    string `json:"code"`
}

var statusOf = map[store.Code]int{
	store.EMalformed:    fiber.StatusBadRequest,
	store.EInvalid:      fiber.StatusUnprocessableEntity,
	store.ENotFound:     fiber.StatusNotFound,
	store.EConflict:     fiber.StatusConflict,
	store.EForbidden:    fiber.StatusForbidden,
	store.EUnauthorized: fiber.StatusUnauthorized,
	store.EUnavailable:  fiber.StatusServiceUnavailable,
}

// retryUnavailable is the Retry-After of a 503: a database restart or a
// failover takes seconds.
const retryUnavailable = "5"

// fiberKeys names the message for Fiber's own errors.
var fiberKeys = map[int]string{
	fiber.StatusBadRequest:            "body.malformed",
	fiber.StatusNotFound:              "route.unknown",
	fiber.StatusMethodNotAllowed:      "method_not_allowed",
	fiber.StatusRequestEntityTooLarge: "body.too_large",
	fiber.StatusUnsupportedMediaType:  "body.content_type",
	fiber.StatusTooManyRequests:       "rate_limited",
	fiber.StatusUnauthorized:          "auth.required",
	fiber.StatusForbidden:             "forbidden",
}

// problemFor turns any error into a problem document in lang. Only our own
// errors' messages reach the user; anything else is a 500 with a generic
// message, its cause logged for operators.
func (s *Server) problemFor(err error, lang string) (Problem, bool) {
	var se *store.Error
	var fe *fiber.Error
	var rl *rateLimited
	p := Problem{Type: "about:blank"}
	internal := false
	switch {
	case errors.As(err, &se):
		p.Status = statusOf[se.Code]
		if p.Status == 0 {
			p.Status, internal = fiber.StatusInternalServerError, true
			se = &store.Error{Key: "internal"}
		}
		p.Code = se.Key
		p.Detail = s.tr.T(lang, se.Key, se.Params)
		for _, f := range se.Fields {
			p.Errors = append(p.Errors, ProblemField{Field: f.Field, Code: f.Key, Message: s.tr.T(lang, f.Key, f.Params)})
		}
		if se.Claimable != "" {
			p.Claim = &ProblemClaim{ListingID: se.Claimable}
		}
	case errors.Is(err, tenants.ErrBadToken):
		p.Status, p.Code = fiber.StatusUnauthorized, "auth.bad_token"
		p.Detail = s.tr.T(lang, p.Code, nil)
	case errors.As(err, &rl):
		p.Status, p.Code = fiber.StatusTooManyRequests, fiberKeys[fiber.StatusTooManyRequests]
		p.Detail = s.tr.T(lang, p.Code, map[string]any{"Seconds": rl.retrySeconds()})
	case errors.As(err, &fe):
		p.Status = fe.Code
		p.Code = fiberKeys[fe.Code]
		if p.Code == "" {
			p.Code = "internal"
		}
		p.Detail = s.tr.T(lang, p.Code, map[string]any{"Max": "1 MiB", "Seconds": 60})
		internal = fe.Code >= 500
	default:
		p.Status, p.Code, internal = fiber.StatusInternalServerError, "internal", true
		p.Detail = s.tr.T(lang, "internal", nil)
	}
	p.Title = titleOf(p.Status, lang)
	return p, internal
}

// titleOf is the status's short title in lang.
func titleOf(status int, lang string) string {
	pl := map[int]string{400: "Nieprawidłowe żądanie", 401: "Brak uwierzytelnienia", 403: "Brak dostępu",
		404: "Nie znaleziono", 405: "Niedozwolona metoda", 409: "Konflikt", 413: "Za duże żądanie",
		415: "Nieobsługiwany typ treści", 422: "Błędne dane", 429: "Za dużo żądań", 500: "Błąd serwera", 503: "Usługa niedostępna"}
	if lang == "pl" {
		if t, ok := pl[status]; ok {
			return t
		}
	}
	return httpStatusText(status)
}

func httpStatusText(status int) string {
	return fiber.NewError(status).Message
}

// errorHandler is Fiber's one error handler: every error becomes a problem
// document (or an error page for people), never SQL or stack text.
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	lang := langOf(c)
	p, internal := s.problemFor(err, lang)
	p.RequestID = requestID(c)
	if internal {
		s.log.Error("request failed", "request_id", p.RequestID, "method", c.Method(), "path", c.Path(), "err", err)
	}
	// The header and the message say the same wait (see problemFor).
	var rl *rateLimited
	if errors.As(err, &rl) {
		c.Set(fiber.HeaderRetryAfter, strconv.Itoa(rl.retrySeconds()))
	}
	if p.Status == fiber.StatusTooManyRequests && c.GetRespHeader(fiber.HeaderRetryAfter) == "" {
		c.Set(fiber.HeaderRetryAfter, "60")
	}
	if p.Status == fiber.StatusServiceUnavailable {
		c.Set(fiber.HeaderRetryAfter, retryUnavailable)
		s.log.Warn("service unavailable", "request_id", p.RequestID, "path", c.Path(), "err", err)
	}
	if wantsHTML(c) {
		return s.renderErrorPage(c, p)
	}
	c.Status(p.Status)
	c.Set(fiber.HeaderContentType, "application/problem+json; charset=utf-8")
	return c.JSON(p, "application/problem+json; charset=utf-8")
}
