package workstore

import (
	"context"

	"github.com/guregu/dynamo/v2"

	"github.com/effektif-serverless/caseflow/shared/casework"
	"github.com/effektif-serverless/caseflow/shared/store/internal/onetable"
)

// Keys of file metadata:
//
//	ORG#<orgId>  FILE#<id>   a file's metadata; GSI1 CASEFILES#<caseId> / <created>#<id> when in a case

type fileItem struct {
	onetable.Key
	casework.File
}

func fileKey(orgID, id string) onetable.Key {
	return onetable.Key{PK: "ORG#" + orgID, SK: "FILE#" + id}
}

func (s *DB) writeFiles(tx *dynamo.WriteTx, files []casework.FileWrite, add func()) {
	for _, w := range files {
		k := fileKey(w.File.OrganizationID, w.File.ID)
		if w.Delete {
			tx.Delete(s.table.Delete(onetable.HashKey, k.PK).Range(onetable.RangeKey, k.SK).If("'Version' = ?", w.File.Version))
			add()
			continue
		}
		if w.File.CaseID != "" {
			k.GSI1PK, k.GSI1SK = "CASEFILES#"+w.File.CaseID, onetable.TimeString(w.File.Created)+"#"+w.File.ID
		}
		tx.Put(onetable.Versioned(s.table.Put(fileItem{Key: k, File: w.File}), w.New, w.File.Version))
		add()
	}
}

// GetFile reads a file's metadata.
func (s *DB) GetFile(ctx context.Context, orgID, id string) (casework.File, error) {
	var it fileItem
	k := fileKey(orgID, id)
	err := onetable.NotFound(s.get(ctx, k.PK, k.SK, &it), "file")
	return it.File, err
}
