package handlers

import (
	"net/http"

	"katalogpes/store"
)

// The contract of the accounts routes (auth/…, me/…).

type tokenBody struct {
	Token string `json:"token" required:"true"`
}

type refreshBody struct {
	RefreshToken string `json:"refresh_token" required:"true"`
}

type emailBody struct {
	Email string `json:"email" required:"true" format:"email"`
}

type newPasswordBody struct {
	Token    string `json:"token" required:"true"`
	Password string `json:"password" required:"true"`
}

type changePasswordBody struct {
	CurrentPassword string `json:"current_password" required:"true"`
	NewPassword     string `json:"new_password" required:"true"`
}

// statusAnswer is a bare {"status"} answer.
type statusAnswer struct {
	Status string `json:"status" required:"true"`
}

func accountDocs() []apiDoc {
	return []apiDoc{
		{method: post, path: "/auth/register", id: "register", tag: "accounts", summary: "Register an enterprise account",
			body: registerRequest{}, ok: http.StatusCreated, answer: accountResponse{}, problems: []int{http.StatusConflict}},
		{method: post, path: "/auth/verify", id: "verifyEmail", tag: "accounts", summary: "Verify an e-mail address",
			body: tokenBody{}, answer: statusAnswer{}},
		{method: post, path: "/auth/login", id: "login", tag: "accounts", summary: "Sign in",
			body: loginRequest{}, answer: tokenResponse{}, problems: []int{http.StatusForbidden}},
		{method: post, path: "/auth/refresh", id: "refreshTokens", tag: "accounts", summary: "Rotate a refresh token for a new pair",
			body: refreshBody{}, answer: tokenResponse{}},
		{method: post, path: "/auth/logout", id: "logout", tag: "accounts", summary: "Sign out: end the session",
			ok: http.StatusNoContent, problems: []int{http.StatusBadRequest, http.StatusUnsupportedMediaType, http.StatusRequestEntityTooLarge}},
		{method: post, path: "/auth/password-reset", id: "requestPasswordReset", tag: "accounts", summary: "Mail a password-reset link",
			body: emailBody{}, ok: http.StatusAccepted},
		{method: post, path: "/auth/password-reset/confirm", id: "confirmPasswordReset", tag: "accounts", summary: "Set a new password with a reset token",
			body: newPasswordBody{}, answer: statusAnswer{}},
		{method: get, path: "/me", id: "me", tag: "accounts", summary: "The signed-in account", answer: accountResponse{}},
		{method: post, path: "/me/password", id: "changePassword", tag: "accounts", summary: "Change the password (every session ends)",
			body: changePasswordBody{}, ok: http.StatusNoContent},
		{method: get, path: "/me/data", id: "myData", tag: "accounts", summary: "Download my personal data (GDPR)", answer: store.PersonalData{}},
		{method: del, path: "/me", id: "deleteMe", tag: "accounts", summary: "Delete my account (its listings are archived)", ok: http.StatusNoContent},
		{method: get, path: "/me/notifications", id: "myNotifications", tag: "accounts", summary: "My notifications, newest first", answer: []store.Notification{}},
		{method: post, path: "/me/notifications/:nid/read", id: "readNotification", tag: "accounts", summary: "Mark a notification read", ok: http.StatusNoContent},
	}
}
