package identity

import (
	"context"
	"net/http"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/secret"
)

// PictureStore keeps pictures (in S3).
type PictureStore interface {
	Put(ctx context.Context, key, contentType string, data []byte) error
	GetWithType(ctx context.Context, key string, limit int64) ([]byte, string, error)
}

// MaxPicture bounds a picture.
const MaxPicture = 1 << 20

// pictureTypes are the image types accepted, by their sniffed content type.
var pictureTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true}

// checkPicture sniffs the bytes: only PNG, JPEG, GIF and WebP images of
// at most MaxPicture bytes are kept. Errors: Invalid, TooLarge.
func checkPicture(data []byte) (string, error) {
	if len(data) == 0 {
		return "", failure.Field("file", "the picture is empty")
	}
	if len(data) > MaxPicture {
		return "", failure.New(failure.TooLarge, "the picture is larger than %d bytes", MaxPicture)
	}
	ct := http.DetectContentType(data)
	if !pictureTypes[ct] {
		return "", failure.Field("file", "the picture is not a PNG, JPEG, GIF or WebP image (it looks like %s)", ct)
	}
	return ct, nil
}

func userPictureKey(userID string) string { return "pictures/users/" + userID }
func registrationPictureKey(codeHash string) string {
	return "pictures/registrations/" + codeHash
}

// SetUserPicture stores a user's picture. The picture is part of the
// user's identity, shown in every organization: only the user sets it (or
// a system admin), never an organization's admin. Errors: as Tenant;
// NotFound; Forbidden; Invalid; TooLarge.
func (s *Service) SetUserPicture(ctx context.Context, a Access, userID string, data []byte) error {
	org := a.Organization
	if _, member, err := s.Store.UserInOrganization(ctx, org.ID, userID); err != nil || member == nil {
		return failure.New(failure.NotFound, "no such user in this organization")
	}
	if userID != a.UserID {
		caller, err := s.Store.GetUser(ctx, a.UserID)
		if err != nil {
			return err
		}
		if !caller.SystemAdmin {
			return failure.New(failure.Forbidden, "a user's picture is theirs to set; an admin manages the membership only")
		}
	}
	ct, err := checkPicture(data)
	if err != nil {
		return err
	}
	return s.Pictures.Put(ctx, userPictureKey(userID), ct, data)
}

// UserPicture returns a member's picture and its content type.
// Permission: members. Errors: as Tenant; NotFound.
func (s *Service) UserPicture(ctx context.Context, a Access, userID string) ([]byte, string, error) {
	org := a.Organization
	if _, member, err := s.Store.UserInOrganization(ctx, org.ID, userID); err != nil || member == nil {
		return nil, "", failure.New(failure.NotFound, "no such user in this organization")
	}
	return s.Pictures.GetWithType(ctx, userPictureKey(userID), MaxPicture)
}

// SetRegistrationPicture stores the picture of a pending registration
// (whoever holds its code). Errors: NotFound (code), Invalid, TooLarge.
func (s *Service) SetRegistrationPicture(ctx context.Context, code string, data []byte) error {
	if _, err := s.Registration(ctx, code); err != nil {
		return err
	}
	ct, err := checkPicture(data)
	if err != nil {
		return err
	}
	return s.Pictures.Put(ctx, registrationPictureKey(secret.TokenHash(code)), ct, data)
}

// RegistrationPicture returns a pending registration's picture.
func (s *Service) RegistrationPicture(ctx context.Context, code string) ([]byte, string, error) {
	if _, err := s.Registration(ctx, code); err != nil {
		return nil, "", err
	}
	return s.Pictures.GetWithType(ctx, registrationPictureKey(secret.TokenHash(code)), MaxPicture)
}
