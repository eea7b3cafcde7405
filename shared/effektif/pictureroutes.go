package effektif

import (
	"net/http"
	"strconv"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// PictureMaxAge is how long clients may cache a picture.
const PictureMaxAge = 3600

// PictureRoutes registers the picture routes of the Effektif User group:
// a member's picture (uploads by the user or an admin; the document does
// not mark them, but they are tenant data, so they need a token) and a
// pending registration's (public: the code is the credential). Uploads are
// multipart/form-data with one image (PNG, JPEG, GIF, WebP, at most 1 MiB);
// the iframe variants answer HTML carrying the JSON result.
func PictureRoutes(rt *httpapi.Router, svc *identity.Service) {
	userPic := BasePath + "/{organizationKey}/users/{userId}/picture"
	setUser := func(r *http.Request, a identity.Access) error {
		u, err := ReadUpload(r, identity.MaxPicture)
		if err != nil {
			return err
		}
		return svc.SetUserPicture(r.Context(), a, r.PathValue("userId"), u.Data)
	}
	rt.Handle("POST "+userPic, tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		if err := setUser(r, a); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, struct{}{})
	}))
	rt.Handle("POST "+userPic+"iframe", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		return iframeResult(w, setUser(r, a))
	}))
	rt.Handle("GET "+userPic, tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		data, ct, err := svc.UserPicture(r.Context(), a, r.PathValue("userId"))
		if err != nil {
			return err
		}
		return writePicture(w, data, ct)
	}))

	regPic := BasePath + "/registrations/{code}/picture"
	setReg := func(r *http.Request) error {
		u, err := ReadUpload(r, identity.MaxPicture)
		if err != nil {
			return err
		}
		return svc.SetRegistrationPicture(r.Context(), r.PathValue("code"), u.Data)
	}
	rt.Handle("POST "+regPic, func(w http.ResponseWriter, r *http.Request) error {
		if err := setReg(r); err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, struct{}{})
	})
	rt.Handle("POST "+regPic+"iframe", func(w http.ResponseWriter, r *http.Request) error {
		return iframeResult(w, setReg(r))
	})
	rt.Handle("GET "+regPic, func(w http.ResponseWriter, r *http.Request) error {
		data, ct, err := svc.RegistrationPicture(r.Context(), r.PathValue("code"))
		if err != nil {
			return err
		}
		return writePicture(w, data, ct)
	})
}

// iframeResult answers an iframe upload: {} or the error, in HTML.
func iframeResult(w http.ResponseWriter, err error) error {
	if err == nil {
		return WriteIframe(w, http.StatusOK, struct{}{})
	}
	fe := failure.As(err)
	if fe.Code == failure.Internal {
		return err
	}
	return WriteIframe(w, fe.Status(), Error{Message: fe.Message, Code: string(fe.Code), Field: fe.Field})
}

func writePicture(w http.ResponseWriter, data []byte, contentType string) error {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", "inline")
	w.Header().Set("Cache-Control", "private, max-age="+strconv.Itoa(PictureMaxAge))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(data)
	return err
}
