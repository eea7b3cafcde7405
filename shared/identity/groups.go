package identity

import (
	"context"
	"strings"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// MaxGroupMembers bounds a group: its members' memberships change in the
// same transaction as the group.
const MaxGroupMembers = 90

// Group is a named set of an organization's members.
type Group struct {
	ID             string
	OrganizationID string
	Name           string
	LdapDN         string
	// UserIDs is a string set in the table, so a member who leaves is
	// removed from it in the same transaction.
	UserIDs []string `dynamo:",set"`
	Version int
}

// GroupChanges are what a group's editor sets; nil leaves a field.
type GroupChanges struct {
	Name    *string
	LdapDN  *string
	UserIDs *[]string
}

func (s *Service) checkGroup(ctx context.Context, orgID string, g *Group, c GroupChanges) error {
	if c.Name != nil {
		g.Name = strings.TrimSpace(*c.Name)
	}
	if g.Name == "" {
		return failure.Field("name", "name is required")
	}
	if err := ValidateName("name", g.Name); err != nil {
		return err
	}
	if c.LdapDN != nil {
		if err := ValidateName("ldapDn", *c.LdapDN); err != nil {
			return err
		}
		g.LdapDN = *c.LdapDN
	}
	if c.UserIDs != nil {
		unique := []string{}
		for _, id := range *c.UserIDs {
			if !contains(unique, id) {
				unique = append(unique, id)
			}
		}
		if len(unique) > MaxGroupMembers {
			return failure.Field("userIds", "a group has at most %d members", MaxGroupMembers)
		}
		if err := s.CheckMembers(ctx, orgID, "userIds", unique); err != nil {
			return err
		}
		g.UserIDs = unique
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// diff returns the ids in b and not in a (added) and in a and not in b (removed).
func diff(a, b []string) (added, removed []string) {
	for _, id := range b {
		if !contains(a, id) {
			added = append(added, id)
		}
	}
	for _, id := range a {
		if !contains(b, id) {
			removed = append(removed, id)
		}
	}
	return added, removed
}

// CreateGroup creates a group. Permission: admins. Errors: as Tenant;
// Forbidden; Invalid (no name, members who are not members).
func (s *Service) CreateGroup(ctx context.Context, a Access, c GroupChanges) (Group, error) {
	org, err := a.admin("manage groups")
	if err != nil {
		return Group{}, err
	}
	g := Group{ID: ids.New(), OrganizationID: org.ID, UserIDs: []string{}, Version: 1}
	if err := s.checkGroup(ctx, org.ID, &g, c); err != nil {
		return Group{}, err
	}
	return g, s.Store.SaveGroup(ctx, g, true, g.UserIDs, nil)
}

// Group returns a group. Permission: members. Errors: as Tenant; NotFound.
func (s *Service) Group(ctx context.Context, a Access, id string) (Group, error) {
	org := a.Organization
	return s.groupByID(ctx, org.ID, id)
}

func (s *Service) groupByID(ctx context.Context, orgID, id string) (Group, error) {
	if !ids.Valid(id) {
		return Group{}, failure.New(failure.NotFound, "no such group")
	}
	return s.Store.GetGroup(ctx, orgID, id)
}

// UpdateGroup renames a group or changes its members; the members'
// groupIds change in the same transaction, so one change adds and
// removes at most MaxGroupMembers members together (each is an item of
// it). Permission: admins. Errors: as CreateGroup; NotFound; Invalid
// (more members added and removed at once); Conflict (changed
// concurrently).
func (s *Service) UpdateGroup(ctx context.Context, a Access, id string, c GroupChanges) (Group, error) {
	org, err := a.admin("manage groups")
	if err != nil {
		return Group{}, err
	}
	for attempt := 0; attempt < 3; attempt++ {
		g, err := s.groupByID(ctx, org.ID, id)
		if err != nil {
			return Group{}, err
		}
		before := g.UserIDs
		if err := s.checkGroup(ctx, org.ID, &g, c); err != nil {
			return Group{}, err
		}
		added, removed := diff(before, g.UserIDs)
		if len(added)+len(removed) > MaxGroupMembers {
			return Group{}, failure.Field("userIds", "one change adds and removes at most %d members together", MaxGroupMembers)
		}
		g.Version++
		err = s.Store.SaveGroup(ctx, g, false, added, removed)
		if err == nil || !failure.As(err).Retry {
			return g, err
		}
	}
	return Group{}, failure.New(failure.Conflict, "the group was changed concurrently; try again")
}

// DeleteGroup deletes a group and takes it out of its members' groupIds.
// Permission: admins. Errors: as Tenant; Forbidden; NotFound.
func (s *Service) DeleteGroup(ctx context.Context, a Access, id string) error {
	org, err := a.admin("manage groups")
	if err != nil {
		return err
	}
	g, err := s.groupByID(ctx, org.ID, id)
	if err != nil {
		return err
	}
	return s.Store.DeleteGroup(ctx, g)
}
