package e2e

import (
	"context"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// pageLink finds the link to a person's page (/pages/activate#… or
// /pages/reset#…) in the latest mail to the address.
func pageLink(t testing.TB, address, page string) string {
	t.Helper()
	re := regexp.MustCompile(regexp.QuoteMeta(stack.GatewayURL) + `/pages/` + page + `#[A-Za-z0-9_-]{22}`)
	mails := mailsTo(t, address)
	for i := len(mails) - 1; i >= 0; i-- {
		if link := re.FindString(mails[i].Body.Text); link != "" {
			return link
		}
	}
	t.Fatalf("no /pages/%s link mailed to %s", page, address)
	return ""
}

// browser starts a headless Chromium (the distribution's package, which
// .ci/run installs when missing) and answers a context for its tab.
func browser(t testing.TB) context.Context {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				path = p
				break
			}
		}
	}
	if path == "" {
		t.Fatal("no Chromium: install the distribution's package (apt-get install chromium) or set CHROMIUM")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTime(); cancelTab(); cancelAlloc() })
	return ctx
}

// fillPasswords opens a page, types the passwords and submits, answering
// the outcome's text (once the page shows one) and the page's address
// after it loaded.
func fillPasswords(t testing.TB, ctx context.Context, link, password, again string) (outcome, location string) {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("password")))
	if err == nil {
		location, err = chromedp.Run(ctx, chromedp.Location())
	}
	if err == nil {
		err = chromedp.Do(ctx,
			chromedp.SendKeys(chromedp.ID("password"), password),
			chromedp.SendKeys(chromedp.ID("again"), again),
			chromedp.Click(chromedp.ID("submit")),
			chromedp.WaitVisible(chromedp.CSS("#outcome.done, #outcome.error")))
	}
	if err == nil {
		outcome, err = chromedp.Run(ctx, chromedp.Text(chromedp.ID("outcome")))
	}
	if err != nil {
		t.Fatalf("the page %s in Chromium: %v", link, err)
	}
	return outcome, location
}

// pageError opens a link and answers the error the page shows. (Both
// helpers leave the page first: a link that differs from the current
// address only by its fragment would not load it again.)
func pageError(t testing.TB, ctx context.Context, link string) string {
	t.Helper()
	err := chromedp.Do(ctx, chromedp.Navigate("about:blank"), chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("#outcome.error")))
	if err != nil {
		t.Fatalf("the page %s shows no error: %v", link, err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("outcome")))
	if err != nil {
		t.Fatal(err)
	}
	return text
}

// TestPagesForAPersonInABrowser: the links of the activation, invitation
// and reset mails open pages that, in a real headless Chromium, ask for a
// password, post it with the mailed code to the documented operation and
// show the outcome; the code never stays in the address bar; the new
// password signs in; a used link says so.
func TestPagesForAPersonInABrowser(t *testing.T) {
	ctx := browser(t)

	// An invitation: the admin adds an address; its holder activates.
	a := signUp(t, "Pages In A Browser")
	invitee := uniqueEmail("page-invitee")
	expect(t, call(t, "POST", "/api/v1/"+a.OrgKey+"/users", a.Token, map[string]any{"emailAddress": invitee, "firstName": "Ivo"}), http.StatusOK)
	link := pageLink(t, invitee, "activate")
	password := "a page-chosen password"
	rememberPassword(password)
	outcome, location := fillPasswords(t, ctx, link, password, password)
	if !strings.Contains(outcome, "Your account is active") {
		t.Fatalf("activation outcome: %q", outcome)
	}
	if strings.Contains(location, "#") {
		t.Errorf("the code stayed in the address bar: %s", location)
	}
	if title, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("title"))); err != nil || !strings.Contains(title, "Pages In A Browser") {
		t.Errorf("the page does not name the organization: %q %v", title, err)
	}
	signedIn := expect(t, login(t, invitee, password), http.StatusOK).JSON(t)
	if !strings.Contains(strings.ToLower(signedIn["user"].(map[string]any)["emailAddress"].(string)), "page-invitee") {
		t.Errorf("login after the page: %v", signedIn["user"])
	}
	// The same link again: the page says it no longer works.
	if again := pageError(t, ctx, link); !strings.Contains(again, "does not work") {
		t.Errorf("a used link: %q", again)
	}

	// A password reset.
	expect(t, call(t, "POST", "/api/v1/users/reset", "", map[string]any{"emailAddress": a.Email}), http.StatusOK)
	reset := pageLink(t, a.Email, "reset")
	newPassword := "a reset page password"
	rememberPassword(newPassword)
	outcome, _ = fillPasswords(t, ctx, reset, newPassword, newPassword)
	if !strings.Contains(outcome, "Your password is set") {
		t.Fatalf("reset outcome: %q", outcome)
	}
	expect(t, login(t, a.Email, newPassword), http.StatusOK)
	expect(t, login(t, a.Email, a.Password), http.StatusUnauthorized)
	// Two different passwords: refused in the page, nothing posted.
	expect(t, call(t, "POST", "/api/v1/users/reset", "", map[string]any{"emailAddress": a.Email}), http.StatusOK)
	if differ, _ := fillPasswords(t, ctx, pageLink(t, a.Email, "reset"), "one long password", "another long password"); !strings.Contains(differ, "differ") {
		t.Errorf("different passwords: %q", differ)
	}
	expect(t, login(t, a.Email, newPassword), http.StatusOK)

	// A link without its code.
	if broken := pageError(t, ctx, stack.GatewayURL+"/pages/activate"); !strings.Contains(broken, "incomplete") {
		t.Errorf("a link without a code: %q", broken)
	}
}

// TestPagesHeaders: the pages are public, strict about where scripts and
// requests may go, uncached and send no Referer.
func TestPagesHeaders(t *testing.T) {
	for _, p := range []string{"/pages/activate", "/pages/reset", "/pages/pages.js", "/pages/pages.css"} {
		r := call(t, "GET", p, "", nil)
		expect(t, r, http.StatusOK)
		csp := r.Header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s CSP %q", p, csp)
		}
		if r.Header.Get("Referrer-Policy") != "no-referrer" || r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s headers %v", p, r.Header)
		}
	}
}
