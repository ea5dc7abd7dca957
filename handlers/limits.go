package handlers

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"katalogpes/store"
)

// rateLimit is a limit named by what it protects, so every route guarding
// the same thing (the API and the page, under /r/{slug} and on a region's
// host) shares its counter. Counters live in PostgreSQL, shared by every
// node (see store.HitRateLimit).
type rateLimit struct {
	protects string
	by       limitKey
	max      int
	window   time.Duration
	// refundInvalid takes back an attempt that failed validation: a
	// mistyped form should not use up someone's registrations.
	refundInvalid bool
}

// limitKey picks what a rate limit counts by; "" counts nothing.
type limitKey func(s *Server, c *fiber.Ctx) string

// The limits, by what they protect. They are fixed settings, never changed.
var (
	loginByAddress         = rateLimit{protects: "login", by: byAddress, max: 10, window: time.Minute}
	loginByEmail           = rateLimit{protects: "login", by: byEmail, max: 10, window: time.Minute}
	registerByAddress      = rateLimit{protects: "register", by: byAddress, max: 5, window: time.Hour, refundInvalid: true}
	passwordResetByAddress = rateLimit{protects: "password-reset", by: byAddress, max: 5, window: time.Hour}
	newPasswordByAddress   = rateLimit{protects: "password-reset-confirm", by: byAddress, max: 10, window: time.Hour}
)

func byAddress(s *Server, c *fiber.Ctx) string { return "ip:" + addressKey(s.clientAddress(c)) }

// byEmail counts attempts on one account, whichever address they come
// from, whether the e-mail comes in JSON or a form.
func byEmail(_ *Server, c *fiber.Ctx) string {
	var email string
	if strings.HasPrefix(strings.ToLower(c.Get(fiber.HeaderContentType)), fiber.MIMEApplicationJSON) {
		var req struct {
			Email string `json:"email"`
		}
		_ = json.Unmarshal(c.Body(), &req)
		email = req.Email
	} else {
		email = c.FormValue("email")
	}
	if email = strings.ToLower(strings.TrimSpace(email)); email == "" {
		return "" // no account to protect; the handler refuses the form
	}
	// Hashed, so the counters keep no address in clear: not of someone
	// who mistyped it, nor of an account since erased.
	sum := sha256.Sum256([]byte(email))
	return "email:" + hex.EncodeToString(sum[:])
}

// limit counts the request against l and refuses it with 429 once the
// window is full.
func (s *Server) limit(l rateLimit) fiber.Handler {
	return func(c *fiber.Ctx) error {
		who := l.by(s, c)
		if who == "" {
			return c.Next()
		}
		key := l.protects + ":" + who
		ok, retryAfter, err := s.db.HitRateLimit(c.UserContext(), key, l.max, l.window)
		if err != nil {
			return fmt.Errorf("rate limit %s: %w", l.protects, err)
		}
		if !ok {
			return &rateLimited{retryAfter: retryAfter}
		}
		err = c.Next()
		if l.refundInvalid && failedValidation(c, err) {
			if rerr := s.db.RefundRateLimit(c.UserContext(), key); rerr != nil {
				return errors.Join(err, rerr)
			}
		}
		return err
	}
}

// localFormInvalid marks a page whose form failed validation: the page
// shows the errors itself, so no error comes back to say so.
const localFormInvalid = "form_invalid"

// markFormInvalid says the posted form failed validation.
func markFormInvalid(c *fiber.Ctx) { c.Locals(localFormInvalid, true) }

// failedValidation reports whether the request was refused for its input.
func failedValidation(c *fiber.Ctx, err error) bool {
	if code := store.ErrorCode(err); code == store.EInvalid || code == store.EMalformed {
		return true
	}
	var fe *fiber.Error
	if errors.As(err, &fe) && (fe.Code == fiber.StatusBadRequest || fe.Code == fiber.StatusRequestEntityTooLarge || fe.Code == fiber.StatusUnsupportedMediaType) {
		return true
	}
	invalid, _ := c.Locals(localFormInvalid).(bool)
	return invalid
}

// rateLimited is a refusal by a rate limit; the Retry-After header and the
// message both say retrySeconds.
type rateLimited struct {
	retryAfter time.Duration
}

func (e *rateLimited) Error() string {
	return fmt.Sprintf("rate limited, retry after %s", e.retryAfter)
}

// retrySeconds is the wait in whole seconds, rounded up: retrying sooner
// would be refused again.
func (e *rateLimited) retrySeconds() int {
	return max(1, int(math.Ceil(e.retryAfter.Seconds())))
}
