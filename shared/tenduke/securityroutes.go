package tenduke

import (
	"encoding/base64"
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// expandQR reads the expand parameter of the TOTP reads: qrCode or
// nothing. Errors: Invalid for another value.
func expandQR(r *http.Request) (bool, error) {
	qr := false
	for _, v := range httpapi.ListParam(r, "expand") {
		if v != "qrCode" {
			return false, failure.Field("expand", "expand takes qrCode only, not %q", clip(v))
		}
		qr = true
	}
	return qr, nil
}

// credentialOf is the OtpCredential of a credential: the key URI and the
// QR code while it is pending only; the secret only when just enrolled.
func credentialOf(verified bool, e *identity.TOTPEnrollment, withSecret, withQR bool) OtpCredential {
	c := OtpCredential{Verified: verified}
	if e != nil {
		c.KeyURI = e.URI
		if withSecret {
			c.Secret = e.Secret
		}
		if withQR {
			c.QRCode = base64.StdEncoding.EncodeToString(e.QRPNG)
		}
	}
	return c
}

// SecurityRoutes registers a user's own TOTP credential (22, 40-42, 50)
// and recovery emails (24, 25, 38, 39, 43, 45-47): another user's are
// NotFound.
func SecurityRoutes(rt *httpapi.Router, svc *identity.Service) {
	own := func(h handler) httpapi.HandlerFunc {
		return authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
			if err := self(r, c); err != nil {
				return err
			}
			return h(w, r, c)
		})
	}
	totp := BasePath + "/users/{userId}/security/totp"
	rt.Handle("POST "+totp, own(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		qr, err := expandQR(r)
		if err != nil {
			return err
		}
		e, err := svc.EnrollTOTP(r.Context(), c.UserID)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusCreated, credentialOf(false, &e, true, qr))
	}))
	rt.Handle("GET "+totp, own(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		qr, err := expandQR(r)
		if err != nil {
			return err
		}
		st, err := svc.TOTP(r.Context(), c.UserID, qr)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, credentialOf(st.Verified, st.Enrollment, false, qr))
	}))
	rt.Handle("DELETE "+totp, own(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		if err := svc.DeleteTOTP(r.Context(), c.UserID); err != nil {
			return err
		}
		return noBody(w, http.StatusNoContent)
	}))
	rt.Handle("GET "+totp+"/qr", own(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		png, err := svc.TOTPQR(r.Context(), c.UserID)
		if err != nil {
			return err
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, err = w.Write(png)
		return err
	}))
	// Verify: a bare JSON array of two consecutive passcodes.
	rt.Handle("PUT "+totp+"/verify", own(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		var passcodes []string
		if err := decode(r, &passcodes); err != nil {
			return err
		}
		if len(passcodes) != identity.TOTPVerifyPasscodes {
			return failure.Field(identity.FieldPasscode, "send %d consecutive passcodes", identity.TOTPVerifyPasscodes)
		}
		if err := svc.VerifyTOTP(r.Context(), c.UserID, passcodes); err != nil {
			return err
		}
		return noBody(w, http.StatusCreated)
	}))

	emails := BasePath + "/users/{userId}/recovery-emails"
	type recoveryBody struct {
		ID    string  `json:"id"`
		Value *string `json:"value"`
	}
	read := func(r *http.Request, create bool) (string, string, error) {
		var b recoveryBody
		if err := decode(r, &b); err != nil {
			return "", "", err
		}
		var id string
		var err error
		if create {
			id, err = newID(b.ID)
		} else {
			id, err = bodyID(b.ID)
		}
		if err != nil {
			return "", "", err
		}
		if b.Value == nil {
			return "", "", failure.Field("value", "value (the address) is required")
		}
		return id, *b.Value, nil
	}
	rt.Handle("POST "+emails, own(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		id, value, err := read(r, true)
		if err != nil {
			return err
		}
		e, err := svc.AddRecoveryEmail(r.Context(), c.UserID, id, value)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusCreated, recoveryEmailOf(e))
	}))
	rt.Handle("PUT "+emails, own(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		id, value, err := read(r, false)
		if err != nil {
			return err
		}
		e, err := svc.ReplaceRecoveryEmail(r.Context(), c.UserID, id, value)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, recoveryEmailOf(e))
	}))
	rt.Handle("GET "+emails, own(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		list, err := svc.RecoveryEmails(r.Context(), c.UserID)
		if err != nil {
			return err
		}
		return writeList(w, mapped(list, recoveryEmailOf))
	}))
	email := emails + "/{emailId}"
	withEmail := func(h func(w http.ResponseWriter, r *http.Request, c identity.Caller, id string) error) httpapi.HandlerFunc {
		return own(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
			id, err := pathID(r, "emailId")
			if err != nil {
				return err
			}
			return h(w, r, c, id)
		})
	}
	rt.Handle("GET "+email, withEmail(func(w http.ResponseWriter, r *http.Request, c identity.Caller, id string) error {
		e, err := svc.RecoveryEmail(r.Context(), c.UserID, id)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, recoveryEmailOf(e))
	}))
	rt.Handle("DELETE "+email, withEmail(func(w http.ResponseWriter, r *http.Request, c identity.Caller, id string) error {
		if err := svc.DeleteRecoveryEmail(r.Context(), c.UserID, id); err != nil {
			return err
		}
		return noBody(w, http.StatusNoContent)
	}))
	// A challenge: the core mails its token to the address (answering it
	// would let a user validate an address they do not hold), so the
	// answer's token is empty; the PUT takes the mailed one.
	rt.Handle("POST "+email+"/challenges", withEmail(func(w http.ResponseWriter, r *http.Request, c identity.Caller, id string) error {
		if err := svc.CreateRecoveryChallenge(r.Context(), c.UserID, id); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusCreated, EmailChallengeToken{})
	}))
	rt.Handle("PUT "+email+"/challenges", withEmail(func(w http.ResponseWriter, r *http.Request, c identity.Caller, id string) error {
		var b EmailChallengeToken
		if err := decode(r, &b); err != nil {
			return err
		}
		if _, err := svc.AnswerRecoveryChallenge(r.Context(), c.UserID, id, b.Token); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, b)
	}))
	rt.Handle("POST "+email+"/send-validation", withEmail(func(w http.ResponseWriter, r *http.Request, c identity.Caller, id string) error {
		if err := svc.SendRecoveryEmailValidation(r.Context(), c.UserID, id, r.URL.Query().Get("verificationUrl")); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusCreated, SendEmailResult{ID: uuidOf(id), ResultCode: "success"})
	}))
}
