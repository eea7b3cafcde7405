package onetable

import (
	"context"
	"reflect"
	"time"

	"github.com/guregu/dynamo/v2"
)

// PageInto runs q page by page, skips the first offset results and collects
// up to size results into out (a pointer to a slice). The reads stop as soon
// as offset+size results were seen, so a list costs what it returns.
func PageInto(ctx context.Context, q *dynamo.Query, offset, size int, out any) error {
	slice := reflect.ValueOf(out).Elem()
	elem := slice.Type().Elem()
	it := q.Limit(offset + size).Iter()
	seen := 0
	for {
		v := reflect.New(elem)
		if !it.Next(ctx, v.Interface()) {
			break
		}
		seen++
		if seen > offset {
			slice.Set(reflect.Append(slice, v.Elem()))
		}
		if seen >= offset+size {
			break
		}
	}
	return it.Err()
}

// storedTime is the layout of stored times: RFC 3339 in UTC with a fixed
// number of fraction digits, so that stored times sort as strings.
const storedTime = "2006-01-02T15:04:05.000000000Z"

// TimeString is the stored form of a time; "" for the zero time.
func TimeString(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(storedTime)
}

// ParseTime reads TimeString's form; "" and malformed values give the zero time.
func ParseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
