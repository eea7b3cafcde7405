package store

import (
	"context"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// GroupsAmong tells which of the group ids are groups of the organization:
// one BatchGetItem of the group items ORG#<orgId> / GROUP#<id> (the SDK
// splits it in batches of 100 keys). Empty and repeated ids are skipped.
func (s *DB) GroupsAmong(ctx context.Context, orgID string, groupIDs []string) (map[string]bool, error) {
	var items []groupItem
	if err := s.batchGet(ctx, groupIDs, func(id string) key { return groupKey(orgID, id) }, &items); err != nil {
		return nil, failure.Wrap(err, "read groups")
	}
	out := make(map[string]bool, len(items))
	for _, it := range items {
		if it.OrganizationID == orgID {
			out[it.ID] = true
		}
	}
	return out, nil
}
