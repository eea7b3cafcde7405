package effektif

import (
	"net/http"
	"time"

	"github.com/effektif-serverless/caseflow/shared/httpapi"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// License is the Effektif License model.
type License struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"organizationId"`
	Type           string    `json:"type"`
	Packages       []string  `json:"packages"`
	CreationDate   time.Time `json:"creationDate"`
	ExpirationDate time.Time `json:"expirationDate"`
	GeneratedByID  string    `json:"generatedById,omitempty"`
	UserID         string    `json:"userId,omitempty"`
}

func licenseOf(l identity.License) License {
	return License{ID: l.ID, OrganizationID: l.OrganizationID, Type: l.Type, Packages: OrEmpty(l.Packages),
		CreationDate: l.CreationDate, ExpirationDate: l.ExpirationDate, GeneratedByID: l.GeneratedByID, UserID: l.UserID}
}

// PurchaseOrder is the Effektif PurchaseOrder model.
type PurchaseOrder struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"organizationId"`
	LicenseType    string    `json:"licenseType"`
	BillingType    string    `json:"billingType,omitempty"`
	Count          int       `json:"count"`
	Message        string    `json:"message,omitempty"`
	OrderedByID    string    `json:"orderedById"`
	Created        time.Time `json:"created"`
	Completed      bool      `json:"completed"`
	CompletedByID  string    `json:"completedById,omitempty"`
	LicenseIDs     []string  `json:"licenseIds"`
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
		out := make([]License, len(ls))
		for i, l := range ls {
			out[i] = licenseOf(l)
		}
		return httpapi.WriteJSON(w, http.StatusOK, out)
	}))
	rt.Handle("GET "+org+"/licenses/{licenseId}", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		l, err := svc.License(r.Context(), a, r.PathValue("licenseId"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, licenseOf(l))
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
		return httpapi.WriteJSON(w, http.StatusOK, licenseOf(l))
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
			LicenseType: in.LicenseType, BillingType: in.BillingType, Count: in.Count, Message: in.Message,
		})
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, PurchaseOrder{ID: o.ID, OrganizationID: o.OrganizationID, LicenseType: o.LicenseType,
			BillingType: o.BillingType, Count: o.Count, Message: o.Message, OrderedByID: o.OrderedByID, Created: o.Created,
			Completed: true, CompletedByID: o.OrderedByID, LicenseIDs: o.LicenseIDs})
	}))
	rt.Handle("POST "+org+"/licenseProfiles/{profile}", tenant(svc, func(w http.ResponseWriter, r *http.Request, a identity.Access) error {
		d, err := svc.ApplyLicenseProfile(r.Context(), a, r.PathValue("profile"))
		if err != nil {
			return err
		}
		return httpapi.WriteJSON(w, http.StatusOK, organizationDetailOf(d))
	}))
}
