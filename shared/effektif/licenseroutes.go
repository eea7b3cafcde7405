package effektif

import (
	"net/http"
	"time"

	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// License is the Effektif License model. The license routes embed its
// organization and its holder (user, as a member; absent while the seat is
// free); a license in a User's licenses embeds its organization only.
type License struct {
	ID             string        `json:"id"`
	OrganizationID string        `json:"organizationId"`
	Organization   *Organization `json:"organization,omitempty"`
	Type           string        `json:"type"`
	Packages       []string      `json:"packages"`
	CreationDate   time.Time     `json:"creationDate"`
	ExpirationDate time.Time     `json:"expirationDate"`
	GeneratedByID  string        `json:"generatedById,omitempty"`
	UserID         string        `json:"userId,omitempty"`
	User           *User         `json:"user,omitempty"`
}

func licenseOf(l identity.License) License {
	return License{ID: l.ID, OrganizationID: l.OrganizationID, Type: l.Type, Packages: OrEmpty(l.Packages),
		CreationDate: l.CreationDate, ExpirationDate: l.ExpirationDate, GeneratedByID: l.GeneratedByID, UserID: l.UserID}
}

// PurchaseOrder is the Effektif PurchaseOrder model. Of a request only
// licenseType, billingType, count, message and muted are read; the answer
// embeds the organization and the ordering and completing users (the
// admin who ordered: an order completes at once).
type PurchaseOrder struct {
	ID             string        `json:"id"`
	OrganizationID string        `json:"organizationId"`
	Organization   *Organization `json:"organization,omitempty"`
	LicenseType    string        `json:"licenseType"`
	BillingType    string        `json:"billingType,omitempty"`
	Count          int           `json:"count"`
	Message        string        `json:"message,omitempty"`
	Muted          bool          `json:"muted"`
	OrderedByID    string        `json:"orderedById"`
	OrderedBy      *User         `json:"orderedBy,omitempty"`
	Created        time.Time     `json:"created"`
	Completed      bool          `json:"completed"`
	CompletedByID  string        `json:"completedById,omitempty"`
	CompletedBy    *User         `json:"completedBy,omitempty"`
	GeneratorIDs   []string      `json:"generatorIds"`
	LicenseIDs     []string      `json:"licenseIds"`
}

// licensesAnswered are licenses as the license routes answer them: with
// their organization and their holders embedded (one batch read of the
// holders as members).
func licensesAnswered(r *http.Request, svc *identity.Service, a identity.Access, ls []identity.License) ([]License, error) {
	holders := make([]string, 0, len(ls))
	for _, l := range ls {
		holders = append(holders, l.UserID)
	}
	members, err := svc.MembersByID(r.Context(), a, holders)
	if err != nil {
		return nil, err
	}
	org := organizationOf(a.Organization, a.IsAdmin())
	out := make([]License, len(ls))
	for i, l := range ls {
		out[i] = licenseOf(l)
		out[i].Organization = &org
		if m, ok := members[l.UserID]; ok {
			u := MemberOf(m)
			out[i].User = &u
		}
	}
	return out, nil
}

func licenseAnswered(r *http.Request, svc *identity.Service, a identity.Access, l identity.License) (License, error) {
	out, err := licensesAnswered(r, svc, a, []identity.License{l})
	if err != nil {
		return License{}, err
	}
	return out[0], nil
}

// Seats counts licenses (GET /info/licenses; the document gives no model).
type Seats struct {
	Total int `json:"total"`
	Used  int `json:"used"`
	Free  int `json:"free"`
}

// LicenseInfo is the body of GET /info/licenses: the seats, in all and per
// license type.
type LicenseInfo struct {
	Seats
	Types map[string]Seats `json:"types"`
}

// LicenseRoutes registers the license routes of the Effektif Organization
// group. Purchases complete at once (no payment provider is connected).
func LicenseRoutes(rt *httpapi.Router, svc *identity.Service) {
	org := BasePath + "/{organizationKey}"
	rt.Handle("GET "+org+"/licenses", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		ls, err := svc.Licenses(r.Context(), a)
		if err != nil {
			return err
		}
		out, err := licensesAnswered(r, svc, a, ls)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	}))
	rt.Handle("GET "+org+"/licenses/{licenseId}", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		l, err := svc.License(r.Context(), a, r.PathValue("licenseId"))
		if err != nil {
			return err
		}
		out, err := licenseAnswered(r, svc, a, l)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	}))
	rt.Handle("PUT "+org+"/licenses/{licenseId}", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var in struct {
			UserID string `json:"userId"`
		}
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
		}
		l, err := svc.AssignLicense(r.Context(), a, r.PathValue("licenseId"), in.UserID)
		if err != nil {
			return err
		}
		out, err := licenseAnswered(r, svc, a, l)
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	}))
	rt.Handle("GET "+org+"/info/licenses", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		c, err := svc.LicenseInfo(r.Context(), a)
		if err != nil {
			return err
		}
		out := LicenseInfo{Seats: Seats{Total: c.Total, Used: c.Used, Free: c.Free}, Types: map[string]Seats{}}
		for t, n := range c.ByType {
			out.Types[t] = Seats{Total: n[0], Used: n[1], Free: n[2]}
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	}))
	rt.Handle("POST "+org+"/purchase", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		var in PurchaseOrder
		if err := httpapi.DecodeJSON(r, httpapi.MaxJSONBody, &in); err != nil {
			return err
		}
		o, err := svc.Purchase(r.Context(), a, identity.PurchaseOrder{
			LicenseType: in.LicenseType, BillingType: in.BillingType, Count: in.Count, Message: in.Message, Muted: in.Muted,
		})
		if err != nil {
			return err
		}
		members, err := svc.MembersByID(r.Context(), a, []string{o.OrderedByID, o.CompletedByID})
		if err != nil {
			return err
		}
		org := organizationOf(a.Organization, a.IsAdmin())
		out := PurchaseOrder{ID: o.ID, OrganizationID: o.OrganizationID, Organization: &org, LicenseType: o.LicenseType,
			BillingType: o.BillingType, Count: o.Count, Message: o.Message, Muted: o.Muted, OrderedByID: o.OrderedByID, Created: o.Created,
			Completed: o.Completed, CompletedByID: o.CompletedByID, GeneratorIDs: OrEmpty(o.GeneratorIDs), LicenseIDs: OrEmpty(o.LicenseIDs)}
		if m, ok := members[o.OrderedByID]; ok {
			u := MemberOf(m)
			out.OrderedBy = &u
		}
		if m, ok := members[o.CompletedByID]; ok {
			u := MemberOf(m)
			out.CompletedBy = &u
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	}))
	rt.Handle("POST "+org+"/licenseProfiles/{profile}", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		d, err := svc.ApplyLicenseProfile(r.Context(), a, r.PathValue("profile"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, organizationDetailOf(d))
	}))
}
