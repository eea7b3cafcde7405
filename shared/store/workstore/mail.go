package workstore

import (
	"context"
	"time"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/store/internal/onetable"
)

// Keys of mail items:
//
//	ORG#<orgId>  MAIL#<id>   a received mail (packed)
//	ONCE#<key>   ONCE        a record that something was done once, with its result (TTL 30 days)

type mailItem struct {
	onetable.Key
	Data []byte
}

type onceItem struct {
	onetable.Key
	Result string
}

// OnceTTL is how long once-marks are kept: longer than any retry of SES or
// Lambda.
const OnceTTL = 30 * 24 * time.Hour

// writeOnce adds the once-marks, each on condition that it is new.
func (s *DB) writeOnce(tx *dynamo.WriteTx, marks []casework.OnceMark, add func()) {
	for _, m := range marks {
		k := onetable.Key{PK: "ONCE#" + m.Key, SK: "ONCE", ExpiresAt: time.Now().Add(OnceTTL)}
		tx.Put(s.table.Put(onceItem{Key: k, Result: m.Result}).If("attribute_not_exists(pk)"))
		add()
	}
}

func (s *DB) writeMail(tx *dynamo.WriteTx, emails []casework.Email, add func()) error {
	for _, e := range emails {
		data, err := onetable.PackJSON(e, "mail")
		if err != nil {
			return err
		}
		tx.Put(s.table.Put(mailItem{Key: onetable.Key{PK: "ORG#" + e.OrganizationID, SK: "MAIL#" + e.ID}, Data: data}))
		add()
	}
	return nil
}

// GetEmail reads a received mail.
func (s *DB) GetEmail(ctx context.Context, orgID, id string) (casework.Email, error) {
	var it mailItem
	if err := onetable.NotFound(s.get(ctx, "ORG#"+orgID, "MAIL#"+id, &it), "mail"); err != nil {
		return casework.Email{}, err
	}
	var e casework.Email
	return e, onetable.UnpackJSON(it.Data, &e, "mail")
}

// OnceResult reads the result recorded for a once-mark.
func (s *DB) OnceResult(ctx context.Context, k string) (string, error) {
	var it onceItem
	err := onetable.NotFound(s.get(ctx, "ONCE#"+k, "ONCE", &it), "record")
	return it.Result, err
}
