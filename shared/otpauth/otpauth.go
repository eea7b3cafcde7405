// Package otpauth is identity.OTP over github.com/pquerna/otp (RFC 4226
// and 6238 passcodes, otpauth URIs) and github.com/skip2/go-qrcode (QR
// images). Only the functions that serve TOTP set it
// (identity.Service.OTP), so the others link neither library.
package otpauth

import (
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/effektif-serverless/caseflow/shared/identity"
)

// OTP is the implementation; its zero value is ready.
type OTP struct{}

var _ identity.OTP = OTP{}

// KeyURI is the otpauth:// URI of a six-digit SHA-1 TOTP secret.
func (OTP) KeyURI(issuer, account string, secret []byte, period time.Duration) (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: uint(period / time.Second),
		Secret: secret, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", err
	}
	return key.URL(), nil
}

// QRPNG is a PNG of the QR code of text, size pixels wide.
func (OTP) QRPNG(text string, size int) ([]byte, error) {
	return qrcode.Encode(text, qrcode.Medium, size)
}

// Valid reports whether code is the six-digit passcode of the base32
// secret at the time step (compared in constant time).
func (OTP) Valid(secret string, step uint64, code string) bool {
	ok, err := hotp.ValidateCustom(code, step, secret, hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	return err == nil && ok
}
