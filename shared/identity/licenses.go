package identity

import (
	"context"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// License is one seat of a license type, held by at most one member.
type License struct {
	ID             string
	OrganizationID string
	Type           string
	Packages       []string
	CreationDate   time.Time
	ExpirationDate time.Time
	GeneratedByID  string
	UserID         string
	Version        int
}

// PurchaseOrder adds licenses of one type to an organization.
type PurchaseOrder struct {
	ID             string
	OrganizationID string
	LicenseType    string
	BillingType    string
	Count          int
	Message        string
	OrderedByID    string
	Created        time.Time
	LicenseIDs     []string
}

// Limits of licenses.
const (
	MaxLicensesPerOrder = 80
	MaxLicensesListed   = 1000
	LicenseValidity     = 365 * 24 * time.Hour
)

func licenseType(name string) (LicenseType, bool) {
	for _, t := range licenseTypes {
		if t.Name == name {
			return t, true
		}
	}
	return LicenseType{}, false
}

// Purchase completes a purchase order at once (no payment provider is
// connected: the order is the record): it creates Count licenses of the
// type, valid LicenseValidity. Permission: admins. Errors: as Tenant;
// Forbidden; Invalid (unknown type, count outside 1..MaxLicensesPerOrder).
func (s *Service) Purchase(ctx context.Context, a Access, o PurchaseOrder) (PurchaseOrder, error) {
	org, m := a.Organization, a.Membership
	if !m.IsAdmin() {
		return PurchaseOrder{}, failure.New(failure.Forbidden, "only an admin may buy licenses")
	}
	t, ok := licenseType(o.LicenseType)
	if !ok {
		return PurchaseOrder{}, failure.Field("licenseType", "unknown licenseType %q", o.LicenseType)
	}
	if o.Count < 1 || o.Count > MaxLicensesPerOrder {
		return PurchaseOrder{}, failure.Field("count", "count must be between 1 and %d", MaxLicensesPerOrder)
	}
	if err := ValidateName("message", o.Message); err != nil {
		return PurchaseOrder{}, err
	}
	now := s.now()
	o.ID, o.OrganizationID, o.OrderedByID, o.Created = ids.New(), org.ID, a.UserID, now
	licenses := make([]License, o.Count)
	for i := range licenses {
		licenses[i] = License{ID: ids.New(), OrganizationID: org.ID, Type: t.Name, Packages: t.Packages, CreationDate: now,
			ExpirationDate: now.Add(LicenseValidity), GeneratedByID: a.UserID, Version: 1}
		o.LicenseIDs = append(o.LicenseIDs, licenses[i].ID)
	}
	return o, s.Store.CreateLicenses(ctx, o, licenses)
}

// Licenses lists the organization's licenses. Permission: members.
func (s *Service) Licenses(ctx context.Context, a Access) ([]License, error) {
	org := a.Organization
	return s.Store.Licenses(ctx, org.ID, MaxLicensesListed)
}

// License returns one license. Permission: members. Errors: NotFound.
func (s *Service) License(ctx context.Context, a Access, id string) (License, error) {
	org := a.Organization
	if !ids.Valid(id) {
		return License{}, failure.New(failure.NotFound, "no such license")
	}
	return s.Store.GetLicense(ctx, org.ID, id)
}

// AssignLicense gives a license to a member ("" takes it back). A member
// holds at most one license of the organization and a license one member:
// both are enforced by conditional writes, so two concurrent assignments
// of the last free seat cannot both succeed. Permission: admins. Errors:
// NotFound; Forbidden; Invalid (not a member); Conflict (the license is
// held by another, the member holds one already, or it expired).
func (s *Service) AssignLicense(ctx context.Context, a Access, id, userID string) (License, error) {
	org, m := a.Organization, a.Membership
	if !m.IsAdmin() {
		return License{}, failure.New(failure.Forbidden, "only an admin may assign licenses")
	}
	if !ids.Valid(id) {
		return License{}, failure.New(failure.NotFound, "no such license")
	}
	l, err := s.Store.GetLicense(ctx, org.ID, id)
	if err != nil {
		return License{}, err
	}
	if l.UserID == userID {
		return l, nil
	}
	if userID != "" {
		if err := s.CheckMembers(ctx, org.ID, "userId", []string{userID}); err != nil {
			return License{}, err
		}
		if l.UserID != "" {
			return License{}, failure.New(failure.Conflict, "the license is held by another user; take it back first")
		}
		if !s.now().Before(l.ExpirationDate) {
			return License{}, failure.New(failure.Conflict, "the license has expired")
		}
	}
	previous := l.UserID
	l.UserID = userID
	l.Version++
	if err := s.Store.AssignLicense(ctx, l, previous); err != nil {
		return License{}, err
	}
	return l, nil
}

// LicenseCounts are seats per license type.
type LicenseCounts struct {
	Total, Used, Free int
	ByType            map[string][3]int
}

// LicenseInfo counts the organization's seats: total, used, free, and per
// type. Permission: members.
func (s *Service) LicenseInfo(ctx context.Context, a Access) (LicenseCounts, error) {
	ls, err := s.Licenses(ctx, a)
	if err != nil {
		return LicenseCounts{}, err
	}
	c := LicenseCounts{ByType: map[string][3]int{}}
	now := s.now()
	for _, l := range ls {
		if !now.Before(l.ExpirationDate) {
			continue
		}
		t := c.ByType[l.Type]
		t[0]++
		c.Total++
		if l.UserID != "" {
			t[1]++
			c.Used++
		} else {
			t[2]++
			c.Free++
		}
		c.ByType[l.Type] = t
	}
	return c, nil
}

// ApplyLicenseProfile makes a license type the organization's: its
// members need a license of it (licenseRequired) and its features follow
// it. Permission: admins. Errors: as Tenant; Forbidden; Invalid (unknown).
func (s *Service) ApplyLicenseProfile(ctx context.Context, a Access, profile string) (OrganizationDetail, error) {
	if _, ok := licenseType(profile); !ok {
		return OrganizationDetail{}, failure.Field("profile", "unknown license profile %q", profile)
	}
	for attempt := 0; attempt < 3; attempt++ {
		if attempt > 0 {
			var err error
			if a, err = s.refresh(ctx, a); err != nil {
				return OrganizationDetail{}, err
			}
		}
		org, m := a.Organization, a.Membership
		if !m.IsAdmin() {
			return OrganizationDetail{}, failure.New(failure.Forbidden, "only an admin may apply a license profile")
		}
		org.LicenseType = profile
		org.Version++
		err := s.Store.UpdateOrganization(ctx, org)
		if err == nil {
			return s.detail(ctx, org, m)
		}
		if !failure.As(err).Retry {
			return OrganizationDetail{}, err
		}
	}
	return OrganizationDetail{}, failure.New(failure.Conflict, "the organization was changed concurrently; try again")
}
