package main

import (
	"bytes"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"katalogpes/store"
)

// inbox is a real SMTP server on loopback that keeps what it receives.
type inbox struct {
	mu   sync.Mutex
	msgs [][]byte
	rcpt []string
}

func (b *inbox) NewSession(*smtp.Conn) (smtp.Session, error) { return &inboxSession{box: b}, nil }

type inboxSession struct{ box *inbox }

func (s *inboxSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *inboxSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.rcpt = append(s.box.rcpt, to)
	return nil
}
func (s *inboxSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	defer s.box.mu.Unlock()
	s.box.msgs = append(s.box.msgs, b)
	return nil
}
func (s *inboxSession) Reset()        {}
func (s *inboxSession) Logout() error { return nil }

func startInbox(t *testing.T) (*inbox, string) {
	t.Helper()
	box := &inbox{}
	srv := smtp.NewServer(box)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return box, l.Addr().String()
}

func TestMailArrivesWholeWithDateMessageIDAndPolishLetters(t *testing.T) {
	box, addr := startInbox(t)
	u, _ := url.Parse("smtp://" + addr + "?from=katalog@example.org")
	send, err := smtpSender(u, smtpTimeout)
	if err != nil {
		t.Fatal(err)
	}
	body := "Dzień dobry,\nwpis „Spółdzielnia Socjalna Żółć” został zatwierdzony.\nZażółć gęślą jaźń."
	if err := send(store.SentMail{ID: 1, To: "wlasciciel@example.org", Subject: "Wpis zatwierdzony: Łódź", Body: body}); err != nil {
		t.Fatal(err)
	}
	if len(box.msgs) != 1 || len(box.rcpt) != 1 || box.rcpt[0] != "wlasciciel@example.org" {
		t.Fatalf("received %d messages to %v", len(box.msgs), box.rcpt)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(box.msgs[0]))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Errorf("Date header: %v", err)
	}
	if id := msg.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.Contains(id, "@") {
		t.Errorf("Message-ID = %q", id)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "Wpis zatwierdzony: Łódź" {
		t.Errorf("subject = %q (%v)", subject, err)
	}
	raw, _ := io.ReadAll(msg.Body)
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		raw, _ = io.ReadAll(quotedprintable.NewReader(bytes.NewReader(raw)))
	}
	got := strings.ReplaceAll(string(raw), "\r\n", "\n")
	if strings.TrimRight(got, "\n") != body {
		t.Errorf("body arrived as %q, want %q", got, body)
	}
}

func TestMailToAServerThatDoesNotAnswerTimesOut(t *testing.T) {
	// A listener that accepts and never speaks: the sender must give up.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	u, _ := url.Parse("smtp://" + l.Addr().String())
	const timeout = time.Second
	send, err := smtpSender(u, timeout)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	done := make(chan error, 1)
	go func() { done <- send(store.SentMail{ID: 2, To: "a@example.org", Subject: "x", Body: "y"}) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("sent to a server that never answered")
		}
		t.Logf("gave up after %s: %v", time.Since(start).Round(time.Millisecond), err)
	case <-time.After(30 * timeout):
		t.Fatal("the sender hung past its timeout")
	}
}
