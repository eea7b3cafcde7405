package httpapi

import (
	"net/http"
	"strings"
	"time"
)

// Cookies in and out. API Gateway HTTP APIs (payload v2) put a request's
// cookies in the event's cookies and take a response's from its cookies;
// the Lambda adapter maps both to Cookie and Set-Cookie headers (and so
// does the local gateway), so handlers use net/http's.

// SetSessionCookie sets the cookie name to a session token for browsers:
// Path=/, HttpOnly, SameSite=Lax, and Secure when the request came over
// https (X-Forwarded-Proto, as API Gateway sets it). maxAge bounds it
// (the session's remaining life); zero makes a session cookie.
func SetSessionCookie(w http.ResponseWriter, r *http.Request, name, token string, maxAge time.Duration) {
	c := &http.Cookie{Name: name, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: overHTTPS(r)}
	if maxAge > 0 {
		c.MaxAge = int(maxAge / time.Second)
	}
	http.SetCookie(w, c)
}

// ClearCookie tells the browser to forget the cookie name (Max-Age=0).
func ClearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: overHTTPS(r), MaxAge: -1})
}

// CookieValue answers the value of the request's cookie name, "" for none.
func CookieValue(r *http.Request, name string) string {
	c, err := r.Cookie(name)
	if err != nil {
		return ""
	}
	return c.Value
}

func overHTTPS(r *http.Request) bool {
	return r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}
