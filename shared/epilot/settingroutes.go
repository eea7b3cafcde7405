package epilot

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// UserSetting is one setting as answered.
type UserSetting struct {
	Scope     string          `json:"scope"`
	Key       string          `json:"key"`
	Value     json.RawMessage `json:"value"`
	CreatedAt string          `json:"created_at"`
	UpdatedAt string          `json:"updated_at"`
}

func settingOf(st identity.UserSetting) UserSetting {
	return UserSetting{Scope: st.Scope, Key: st.Key, Value: st.Value, CreatedAt: st.Created.UTC().Format(time.RFC3339Nano),
		UpdatedAt: st.Updated.UTC().Format(time.RFC3339Nano)}
}

// settingValue reads a putUserSetting body. A JSON body is the value as
// sent; what the SDK sends for a string (the raw text as a form body) is
// that string. Errors: Invalid for an empty body or malformed JSON;
// TooLarge beyond identity.MaxSettingValue.
func settingValue(r *http.Request) (json.RawMessage, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, identity.MaxSettingValue+1))
	if err != nil {
		return nil, failure.New(failure.Invalid, "the body could not be read")
	}
	if len(body) > identity.MaxSettingValue {
		return nil, failure.Field("value", "a setting value is at most %d bytes", identity.MaxSettingValue)
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, failure.Field("value", "the body is the setting's value, and it is empty")
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt == "application/json" || strings.HasSuffix(mt, "+json") {
		var v json.RawMessage
		if err := httpapi.Unmarshal(body, &v); err != nil {
			return nil, err
		}
		return v, nil
	}
	if !utf8.Valid(body) {
		return nil, failure.Field("value", "the value is not valid UTF-8")
	}
	v, _ := json.Marshal(string(body))
	return v, nil
}

// SettingRoutes registers the caller's own settings, which belong to the
// identity (the same in every organization).
func SettingRoutes(rt *httpapi.Router, svc *identity.Service) {
	base := "/v2/users/me/settings"
	rt.Handle("GET "+base, httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		scopes, err := svc.Settings(r.Context(), callerID)
		if err != nil {
			return err
		}
		out := make([]map[string]any, len(scopes))
		for i, sc := range scopes {
			out[i] = map[string]any{"scope": sc.Scope, "keys": sc.Keys}
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"results": out})
	}))
	rt.Handle("GET "+base+"/{scope}", httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		settings, err := svc.SettingsScope(r.Context(), callerID, r.PathValue("scope"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, map[string]any{"scope": r.PathValue("scope"), "settings": settings})
	}))
	rt.Handle("GET "+base+"/{scope}/{key}", httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		st, err := svc.Setting(r.Context(), callerID, r.PathValue("scope"), r.PathValue("key"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, settingOf(st))
	}))
	rt.Handle("PUT "+base+"/{scope}/{key}", httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		if err := identity.CheckSettingScope(r.PathValue("scope")); err != nil {
			return err
		}
		if err := identity.CheckSettingKey(r.PathValue("key")); err != nil {
			return err
		}
		v, err := settingValue(r)
		if err != nil {
			return err
		}
		st, err := svc.PutSetting(r.Context(), callerID, r.PathValue("scope"), r.PathValue("key"), v)
		if failure.Is(err, failure.TooLarge) {
			return failure.Field("value", "%s", failure.As(err).Message)
		}
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, settingOf(st))
	}))
	// deleteUserSetting answers 204, whether or not the setting was there.
	rt.Handle("DELETE "+base+"/{scope}/{key}", httpapi.Authenticated(func(w http.ResponseWriter, r *http.Request, callerID string) error {
		err := svc.DeleteSetting(r.Context(), callerID, r.PathValue("scope"), r.PathValue("key"))
		if err != nil && !failure.Is(err, failure.NotFound) {
			return err
		}
		return httpapi.NoContent(w)
	}))
}
