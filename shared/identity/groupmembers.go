package identity

import (
	"context"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// ChangeGroupMembers adds and removes members of a group as a change of
// its members (10Duke's member operations), not as a new list: the
// change is applied to each fresh read of the group, so a concurrent
// change of other members is never lost (UpdateGroup's UserIDs sets the
// whole list). Adding a member of the group again is Invalid ("already a
// member"), as is adding a user who is no member of the organization;
// removing a user who is not in the group is NotFound. The members'
// groupIds change in the same transaction (at most MaxGroupMembers
// added and removed together). Permission: admins. Errors: as
// UpdateGroup.
func (s *Service) ChangeGroupMembers(ctx context.Context, a Access, id string, add, remove []string) (Group, error) {
	org, err := a.admin("manage groups")
	if err != nil {
		return Group{}, err
	}
	if len(add)+len(remove) > MaxGroupMembers {
		return Group{}, failure.Field("userIds", "one change adds and removes at most %d members together", MaxGroupMembers)
	}
	for attempt := 0; attempt < 3; attempt++ {
		g, err := s.groupByID(ctx, org.ID, id)
		if err != nil {
			return Group{}, err
		}
		members := append([]string{}, g.UserIDs...)
		for _, u := range add {
			if contains(members, u) {
				return Group{}, failure.Field("userIds", "the user %s is already a member of the group", u)
			}
			members = append(members, u)
		}
		for _, u := range remove {
			if !contains(members, u) {
				return Group{}, failure.New(failure.NotFound, "the user %s is not a member of the group", u)
			}
			kept := members[:0]
			for _, m := range members {
				if m != u {
					kept = append(kept, m)
				}
			}
			members = kept
		}
		before := g.UserIDs
		if err := s.checkGroup(ctx, org.ID, &g, GroupChanges{UserIDs: &members}); err != nil {
			return Group{}, err
		}
		added, removed := diff(before, g.UserIDs)
		g.Version++
		g.Updated = s.now()
		err = s.Store.SaveGroup(ctx, g, false, added, removed)
		if err == nil || !failure.As(err).Retry {
			return g, err
		}
	}
	return Group{}, failure.New(failure.Conflict, "the group was changed concurrently; try again")
}
