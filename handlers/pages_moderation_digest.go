package handlers

import (
	"context"
	"fmt"

	"github.com/gofiber/fiber/v2"
)

// queueFigures are the queue page's figures for its region this month and
// the signed-in person's notification setting.
type queueFigures struct {
	Decisions           int
	MedianSecs, P90Secs int64
	NotifyImmediately   bool
}

func (s *Server) findQueueFigures(ctx context.Context) (queueFigures, error) {
	times, err := s.db.FindDecisionTimes(ctx)
	if err != nil {
		return queueFigures{}, err
	}
	on, err := s.db.NotifyImmediately(ctx)
	if err != nil {
		return queueFigures{}, fmt.Errorf("queue page: %w", err)
	}
	return queueFigures{Decisions: times.Decisions, MedianSecs: int64(times.Median.Seconds()),
		P90Secs: int64(times.P90.Seconds()), NotifyImmediately: on}, nil
}

// notifyPost turns the signed-in staff member's immediate mails on (the
// checkbox ticked) or off, and goes back to the queue.
func (s *Server) notifyPost(c *fiber.Ctx) error {
	on := c.FormValue("notify_immediately") == "on"
	if err := s.db.SetNotifyImmediately(c.UserContext(), on); err != nil {
		return err
	}
	msg := "notify_off"
	if on {
		msg = "notify_on"
	}
	return c.Redirect(basePath(c)+"/moderacja?msg="+msg+"#powiadomienia", fiber.StatusSeeOther)
}
