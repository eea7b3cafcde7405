// Package pages serves the small pages the Effektif mails link to, for a
// person rather than a client: the activation of a registration (also an
// invitation's, whose code is a registration's) and the choice of a new
// password after a reset. Each page asks for a password and posts it with
// the mailed code to the documented operation (POST
// /api/v1/registrations/{code}/activate, POST /api/v1/users/confirm),
// then shows the outcome. No framework: one HTML file per page, one
// script and one stylesheet, embedded.
//
// Rules:
//   - The code travels in the link's fragment (/pages/activate#<code>),
//     which browsers never send: it stays out of the gateway's and any
//     proxy's logs and Referer headers; the script drops it from the
//     address bar once read.
//   - The pages are public and static; they read nothing but the code.
//     Content-Security-Policy allows scripts, styles and requests of this
//     origin only (no inline script, no framing, no form posts
//     elsewhere); answers are not cached and send no Referer.
package pages

import (
	"embed"
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/httpapi"
)

// BasePath is where the pages are served.
const BasePath = "/pages"

//go:embed assets
var assets embed.FS

// ActivationLink is the page of a registration or invitation code under
// the deployment's base URL.
func ActivationLink(baseURL, code string) string { return baseURL + BasePath + "/activate#" + code }

// ResetLink is the page of a password reset code.
func ResetLink(baseURL, code string) string { return baseURL + BasePath + "/reset#" + code }

// securityHeaders are the headers of every page and asset.
var securityHeaders = map[string]string{
	"Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
		"form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	"Referrer-Policy":        "no-referrer",
	"X-Content-Type-Options": "nosniff",
	"X-Frame-Options":        "DENY",
	"Cache-Control":          "no-store",
}

// Routes registers the pages and their script and stylesheet.
func Routes(rt *httpapi.Router) {
	for _, f := range []struct{ route, file, contentType string }{
		{"/activate", "assets/activate.html", "text/html; charset=utf-8"},
		{"/reset", "assets/reset.html", "text/html; charset=utf-8"},
		{"/pages.js", "assets/pages.js", "text/javascript; charset=utf-8"},
		{"/pages.css", "assets/pages.css", "text/css; charset=utf-8"},
	} {
		rt.Handle("GET "+BasePath+f.route, func(w http.ResponseWriter, _ *http.Request) error {
			body, err := assets.ReadFile(f.file)
			if err != nil {
				return err
			}
			for k, v := range securityHeaders {
				w.Header().Set(k, v)
			}
			w.Header().Set("Content-Type", f.contentType)
			w.WriteHeader(http.StatusOK)
			_, err = w.Write(body)
			return err
		})
	}
}
