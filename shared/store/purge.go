package store

import (
	"context"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// Keys of the purge of deleted organizations:
//
//	PURGE  <orgId>   a deleted organization whose data is still being removed
//
// DeleteOrganization writes the marker in the transaction that deletes the
// organization and its key; the scheduled function reads the partition
// (one Query, PendingPurges) and removes the organization's data in
// bounded steps (workstore's PurgeStep), then the marker (FinishPurge). Nothing is Scanned: every item of an
// organization is found by Query from its own partition ORG#<orgId>:
//
//	ORG#<orgId>  *                 everything keyed by the organization (profile, members,
//	                               groups, invitations, licenses, purchases, workflows,
//	                               versions, instances, actions, cases, counters, tasks,
//	                               files, mails); GSI1 entries go with their items
//	INV#<orgId>#<principal>        the involvement lists of each task's principals
//	PART#<orgId>#<userId>          each case's entries in its participants' case lists
//	CASE#<caseId>                  each case's events
//	TIMERS <due>#<orgId>#...       each instance's timers
//	REG#<codeHash>, SESMSG#<id>    each invitation's registration and SES message
//
// and the S3 objects: files/<orgId>/ (uploads and mail attachments) and
// pictures/registrations/<codeHash> of invitations. A new kind of item keyed
// by an organization id outside ORG#<orgId> must be added to
// workstore.DB.PurgeStep.
// Not removed: users, their addresses and sessions (identities outlive
// their memberships), once-marks and the outbox (short-lived, TTL or sent
// within a minute).

type purgeItem struct {
	key
	OrganizationID string
	Key            string
	Deleted        string
}

const purgePartition = "PURGE"

// purgeMarker is the marker of an organization to purge.
func purgeMarker(o identity.Organization, now time.Time) purgeItem {
	return purgeItem{key: key{PK: purgePartition, SK: o.ID}, OrganizationID: o.ID, Key: o.Key, Deleted: timeString(now)}
}

// putPurgeMarker is the Put of the marker that DeleteOrganization adds to
// its transaction.
func (s *DB) putPurgeMarker(o identity.Organization) *dynamo.Put {
	return s.table.Put(purgeMarker(o, time.Now()))
}

// PendingPurges lists up to limit organizations being purged, oldest id
// first: one Query of the PURGE partition.
func (s *DB) PendingPurges(ctx context.Context, limit int) ([]string, error) {
	var items []purgeItem
	if err := s.table.Get(hashKey, purgePartition).Limit(limit).All(ctx, &items); err != nil {
		return nil, failure.Wrap(err, "list purges")
	}
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.OrganizationID
	}
	return out, nil
}

// FinishPurge removes the marker of an organization whose data is gone.
func (s *DB) FinishPurge(ctx context.Context, orgID string) error {
	if err := s.table.Delete(hashKey, purgePartition).Range(rangeKey, orgID).Run(ctx); err != nil {
		return failure.Wrap(err, "finish purge")
	}
	return nil
}
