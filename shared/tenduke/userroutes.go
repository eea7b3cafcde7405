package tenduke

import (
	"context"
	"net/http"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// userBody is a User as a create or replace body.
type userBody struct {
	ID         string  `json:"id"`
	FirstName  *string `json:"firstName"`
	LastName   *string `json:"lastName"`
	Email      *string `json:"email"`
	ValidFrom  string  `json:"validFrom"`
	ValidUntil string  `json:"validUntil"`
}

// visibleUsers lists the users who share an organization with the
// caller (each once), with the caller themself.
func visibleUsers(ctx context.Context, svc *identity.Service, c identity.Caller) ([]identity.User, error) {
	as, err := svc.Accesses(ctx, c)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []identity.User
	for _, a := range as {
		members, err := svc.Members(ctx, a, identity.MemberQuery{PageSize: MaxListedMembers})
		if err != nil {
			return nil, err
		}
		for _, m := range members {
			if !seen[m.ID] {
				seen[m.ID] = true
				out = append(out, m.User)
			}
		}
	}
	if !seen[c.UserID] {
		me, err := svc.Me(ctx, c.UserID)
		if err != nil {
			return nil, err
		}
		out = append(out, me)
	}
	return out, nil
}

// visibleUser reads a user the caller may see: themself, or a user who
// shares an organization with them. Errors: NotFound.
func visibleUser(ctx context.Context, svc *identity.Service, c identity.Caller, id string) (identity.User, error) {
	if id == c.UserID {
		return svc.Me(ctx, c.UserID)
	}
	_, m, err := sharing(ctx, svc, c, id)
	return m.User, err
}

// UserRoutes registers the user operations (21, 23, 26, 29, 30, 35-37).
func UserRoutes(rt *httpapi.Router, svc *identity.Service) {
	users := BasePath + "/users"
	rt.Handle("GET "+users, listUsers(svc, userOf, userField, userText))
	rt.Handle("GET "+BasePath+"/user-info", listUsers(svc, userInfoOf, userInfoField, userInfoText))
	// Create (register): an identity without a password, a plain member
	// of the caller's organization (home).
	rt.Handle("POST "+users, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		var b userBody
		if err := decode(r, &b); err != nil {
			return err
		}
		id, err := newID(b.ID)
		if err != nil {
			return err
		}
		if b.Email == nil || b.FirstName == nil || b.LastName == nil {
			return failure.New(failure.Invalid, "firstName, lastName and email are required")
		}
		from, err := timeOf("validFrom", b.ValidFrom)
		if err != nil {
			return err
		}
		until, err := timeOf("validUntil", b.ValidUntil)
		if err != nil {
			return err
		}
		a, err := home(r.Context(), svc, c)
		if err != nil {
			return err
		}
		m, err := svc.RegisterMember(r.Context(), a, identity.NewRegisteredUser{ID: id, Email: *b.Email,
			FirstName: *b.FirstName, LastName: *b.LastName, ValidFrom: from, ValidUntil: until})
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusCreated, userOf(m.User))
	}))
	// Replace: names and the validity window; the address stays (a new
	// one is confirmed by mail through the other APIs).
	rt.Handle("PUT "+users, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		var b userBody
		if err := decode(r, &b); err != nil {
			return err
		}
		id, err := bodyID(b.ID)
		if err != nil {
			return err
		}
		from, err := timeOf("validFrom", b.ValidFrom)
		if err != nil {
			return err
		}
		until, err := timeOf("validUntil", b.ValidUntil)
		if err != nil {
			return err
		}
		shared, u, err := sharing(r.Context(), svc, c, id)
		if err != nil {
			return err
		}
		if b.Email != nil && !strings.EqualFold(strings.TrimSpace(*b.Email), u.Email) {
			return failure.Field("email", "the address changes through a confirmation mail, not here")
		}
		a := shared[0]
		if id != c.UserID {
			if a, err = adminOf(shared, "change another user"); err != nil {
				return err
			}
		}
		m, err := svc.UpdateUser(r.Context(), a, id, identity.UserChanges{FirstName: b.FirstName, LastName: b.LastName,
			ValidFrom: &from, ValidUntil: &until})
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, userOf(m.User))
	}))
	user := users + "/{userId}"
	rt.Handle("GET "+user, readUser(svc, userOf))
	rt.Handle("GET "+BasePath+"/user-info/{userId}", readUser(svc, userInfoOf))
	// Delete: the user leaves every organization the caller administers
	// (the identity is theirs and stays).
	rt.Handle("DELETE "+user, authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		id, err := pathID(r, "userId")
		if err != nil {
			return err
		}
		if id == c.UserID {
			return failure.New(failure.Invalid, "you cannot delete yourself")
		}
		shared, _, err := sharing(r.Context(), svc, c, id)
		if err != nil {
			return err
		}
		removed := 0
		for _, a := range shared {
			if !a.IsAdmin() {
				continue
			}
			if err := svc.RemoveMember(r.Context(), a, id); err != nil {
				return err
			}
			removed++
		}
		if removed == 0 {
			return failure.New(failure.Forbidden, "only an admin may delete a user")
		}
		return noBody(w, http.StatusNoContent)
	}))
	rt.Handle("GET "+user+"/organizations", authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		id, err := pathID(r, "userId")
		if err != nil {
			return err
		}
		l, err := readListing(r, organizationFields...)
		if err != nil {
			return err
		}
		var as []identity.Access
		if id == c.UserID {
			as, err = svc.Accesses(r.Context(), c)
		} else {
			as, _, err = sharing(r.Context(), svc, c, id)
		}
		if err != nil {
			return err
		}
		return writeList(w, apply(l, mapped(as, accessOrganization), organizationField, organizationText))
	}))
}

// listUsers answers the users the caller may see, in a model, paged.
func listUsers[T any](svc *identity.Service, to func(identity.User) T, key func(T, string) string, text func(T) []string) httpapi.HandlerFunc {
	return authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		l, err := readListing(r, userFields...)
		if err != nil {
			return err
		}
		list, err := visibleUsers(r.Context(), svc, c)
		if err != nil {
			return err
		}
		return writeList(w, apply(l, mapped(list, to), key, text))
	})
}

// readUser answers the path's user in a model, if the caller may see
// them.
func readUser[T any](svc *identity.Service, to func(identity.User) T) httpapi.HandlerFunc {
	return authenticated(func(w http.ResponseWriter, r *http.Request, c identity.Caller) error {
		id, err := pathID(r, "userId")
		if err != nil {
			return err
		}
		u, err := visibleUser(r.Context(), svc, c, id)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, to(u))
	})
}
