package identity

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
)

// clock is a Now that moves a second on every call.
func clock() func() time.Time {
	t := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Second)
		return t
	}
}

func expectCode(t *testing.T, what string, err error, code failure.Code, field string) {
	t.Helper()
	if !failure.Is(err, code) {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
	if field != "" && failure.As(err).Field != field {
		t.Fatalf("%s: field %q, want %q (%v)", what, failure.As(err).Field, field, err)
	}
}

func TestPutSettingUpserts(t *testing.T) {
	ctx := context.Background()
	svc := &Service{Store: newCoreDouble(), Now: clock()}
	first, err := svc.PutSetting(ctx, "u1", "calendar", "visible_calendars", json.RawMessage(` { "calendar_ids" : [ "holidays" ] } `))
	if err != nil {
		t.Fatal(err)
	}
	if string(first.Value) != `{"calendar_ids":["holidays"]}` || !first.Created.Equal(first.Updated) || first.Version != 1 {
		t.Fatalf("created: %+v (%s)", first, first.Value)
	}
	second, err := svc.PutSetting(ctx, "u1", "calendar", "visible_calendars", json.RawMessage(`[1,2]`))
	if err != nil {
		t.Fatal(err)
	}
	if !second.Created.Equal(first.Created) || !second.Updated.After(first.Updated) || string(second.Value) != "[1,2]" || second.Version != 2 {
		t.Fatalf("replaced: %+v, first %+v", second, first)
	}
	got, err := svc.Setting(ctx, "u1", "calendar", "visible_calendars")
	if err != nil || !reflect.DeepEqual(got, second) {
		t.Fatalf("read back %+v, %v; want %+v", got, err, second)
	}
	// Every JSON value, null and scalars included; strings as JSON strings.
	for _, v := range []string{"null", "true", "42", `"text"`, `"ünï \u00e9"`, "{}", "[]"} {
		st, err := svc.PutSetting(ctx, "u1", "values", v, json.RawMessage(v))
		if err != nil || string(st.Value) != v {
			t.Fatalf("value %s: %s, %v", v, st.Value, err)
		}
	}
	// Another user's settings are apart.
	if _, err := svc.Setting(ctx, "u2", "calendar", "visible_calendars"); !failure.Is(err, failure.NotFound) {
		t.Fatalf("u2 reads u1's setting: %v", err)
	}
	if m, err := svc.SettingsScope(ctx, "u2", "calendar"); err != nil || len(m) != 0 || m == nil {
		t.Fatalf("u2's scope: %v, %v", m, err)
	}
}

func TestSettingsListAndDelete(t *testing.T) {
	ctx := context.Background()
	svc := &Service{Store: newCoreDouble(), Now: clock()}
	put := func(scope, key, value string) {
		t.Helper()
		if _, err := svc.PutSetting(ctx, "u1", scope, key, json.RawMessage(value)); err != nil {
			t.Fatal(err)
		}
	}
	put("zeta", "b", "1")
	put("alpha", "y", "2")
	put("zeta", "a", "3")
	put("alpha", "x", "4")
	put("alpha!", "x", "5")
	scopes, err := svc.Settings(ctx, "u1")
	if err != nil {
		t.Fatal(err)
	}
	want := []SettingScope{{"alpha", []string{"x", "y"}}, {"alpha!", []string{"x"}}, {"zeta", []string{"a", "b"}}}
	if !reflect.DeepEqual(scopes, want) {
		t.Fatalf("scopes %v, want %v", scopes, want)
	}
	m, err := svc.SettingsScope(ctx, "u1", "alpha")
	if err != nil || len(m) != 2 || string(m["x"]) != "4" || string(m["y"]) != "2" {
		t.Fatalf("scope alpha: %v, %v", m, err)
	}
	if err := svc.DeleteSetting(ctx, "u1", "alpha", "x"); err != nil {
		t.Fatal(err)
	}
	expectCode(t, "delete again", svc.DeleteSetting(ctx, "u1", "alpha", "x"), failure.NotFound, "")
	_, err = svc.Setting(ctx, "u1", "alpha", "x")
	expectCode(t, "read deleted", err, failure.NotFound, "")
	if scopes, _ := svc.Settings(ctx, "u1"); len(scopes) != 3 || len(scopes[0].Keys) != 1 {
		t.Fatalf("after delete: %v", scopes)
	}
	if scopes, err := svc.Settings(ctx, "nobody"); err != nil || scopes == nil || len(scopes) != 0 {
		t.Fatalf("no settings: %v, %v", scopes, err)
	}
}

func TestSettingShapes(t *testing.T) {
	ctx := context.Background()
	svc := &Service{Store: newCoreDouble(), Now: clock()}
	ok := json.RawMessage(`{}`)
	cases := []struct {
		scope, key string
		value      json.RawMessage
		code       failure.Code
		field      string
	}{
		{"", "k", ok, failure.Invalid, FieldSettingScope},
		{"s", "", ok, failure.Invalid, FieldSettingKey},
		{strings.Repeat("s", MaxSettingScope+1), "k", ok, failure.Invalid, FieldSettingScope},
		{"s", strings.Repeat("k", MaxSettingKey+1), ok, failure.Invalid, FieldSettingKey},
		{"a\x1fb", "k", ok, failure.Invalid, FieldSettingScope},
		{"s", "tab\tkey", ok, failure.Invalid, FieldSettingKey},
		{"s", "c1\u0085", ok, failure.Invalid, FieldSettingKey},
		{"bad\xffutf8", "k", ok, failure.Invalid, FieldSettingScope},
		{"s", "k", json.RawMessage(``), failure.Invalid, FieldSettingValue},
		{"s", "k", json.RawMessage(`{"a":`), failure.Invalid, FieldSettingValue},
		{"s", "k", json.RawMessage(`text`), failure.Invalid, FieldSettingValue},
		{"s", "k", json.RawMessage(`{} {}`), failure.Invalid, FieldSettingValue},
		{"s", "k", json.RawMessage("\"\xff\""), failure.Invalid, FieldSettingValue},
		{"s", "k", json.RawMessage(`"` + strings.Repeat("x", MaxSettingValue-1) + `"`), failure.TooLarge, FieldSettingValue},
	}
	for i, c := range cases {
		_, err := svc.PutSetting(ctx, "u1", c.scope, c.key, c.value)
		expectCode(t, fmt.Sprintf("case %d", i), err, c.code, c.field)
	}
	// The limits themselves pass: 64 and 128 characters (multi-byte
	// ones too), a value of exactly MaxSettingValue compact bytes even
	// when sent with white space around.
	scope, key := strings.Repeat("ß", MaxSettingScope), strings.Repeat("🙂", MaxSettingKey)
	value := json.RawMessage("  \n\"" + strings.Repeat("x", MaxSettingValue-2) + "\"\t ")
	st, err := svc.PutSetting(ctx, "u1", scope, key, value)
	if err != nil || len(st.Value) != MaxSettingValue {
		t.Fatalf("at the limits: %d bytes, %v", len(st.Value), err)
	}
	// Reads check the shapes too; no caller is Unauthenticated.
	_, err = svc.Setting(ctx, "u1", "s", strings.Repeat("k", MaxSettingKey+1))
	expectCode(t, "read long key", err, failure.Invalid, FieldSettingKey)
	_, err = svc.SettingsScope(ctx, "u1", "")
	expectCode(t, "empty scope", err, failure.Invalid, FieldSettingScope)
	_, err = svc.Settings(ctx, "")
	expectCode(t, "no caller", err, failure.Unauthenticated, "")
	_, err = svc.PutSetting(ctx, "", "s", "k", ok)
	expectCode(t, "no caller put", err, failure.Unauthenticated, "")
}

func TestSettingsFull(t *testing.T) {
	ctx := context.Background()
	svc := &Service{Store: newCoreDouble(), Now: clock()}
	for i := 0; i < MaxSettingsPerUser; i++ {
		if _, err := svc.PutSetting(ctx, "u1", "many", fmt.Sprint(i), json.RawMessage("1")); err != nil {
			t.Fatal(i, err)
		}
	}
	_, err := svc.PutSetting(ctx, "u1", "many", "one more", json.RawMessage("1"))
	expectCode(t, "one over the count", err, failure.Conflict, "")
	// Replacing one is no new setting; deleting one makes room.
	if _, err := svc.PutSetting(ctx, "u1", "many", "0", json.RawMessage(`{"replaced":true}`)); err != nil {
		t.Fatal(err)
	}
	if err := svc.DeleteSetting(ctx, "u1", "many", "1"); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.PutSetting(ctx, "u1", "many", "one more", json.RawMessage("1")); err != nil {
		t.Fatal(err)
	}
	scopes, err := svc.Settings(ctx, "u1")
	if err != nil || len(scopes) != 1 || len(scopes[0].Keys) != MaxSettingsPerUser {
		t.Fatalf("listing a full store: %d scopes, %v", len(scopes), err)
	}

	// The bytes: MaxSettingsBytes / MaxSettingValue full values fit.
	big := json.RawMessage(`"` + strings.Repeat("b", MaxSettingValue-2) + `"`)
	for i := 0; i < MaxSettingsBytes/MaxSettingValue; i++ {
		if _, err := svc.PutSetting(ctx, "u2", "big", fmt.Sprint(i), big); err != nil {
			t.Fatal(i, err)
		}
	}
	_, err = svc.PutSetting(ctx, "u2", "big", "more", json.RawMessage(`"x"`))
	expectCode(t, "one byte over", err, failure.Conflict, "")
	if _, err := svc.PutSetting(ctx, "u2", "big", "0", json.RawMessage(`"smaller"`)); err != nil {
		t.Fatal("shrinking a value:", err)
	}
	if _, err := svc.PutSetting(ctx, "u2", "big", "more", json.RawMessage(`"x"`)); err != nil {
		t.Fatal("after shrinking:", err)
	}
}

// racingSettings loses the race of the first puts and deletes it sees.
type racingSettings struct {
	*coreDouble
	lose int
}

func (r *racingSettings) PutSetting(ctx context.Context, userID string, st UserSetting, previous *UserSetting) error {
	if r.lose > 0 {
		r.lose--
		// Another writer got in first.
		other := st
		other.Value, other.Version = json.RawMessage(`"other"`), st.Version
		if err := r.coreDouble.PutSetting(ctx, userID, other, previous); err != nil {
			return err
		}
	}
	return r.coreDouble.PutSetting(ctx, userID, st, previous)
}

func TestPutSettingRetriesALostRace(t *testing.T) {
	ctx := context.Background()
	store := &racingSettings{coreDouble: newCoreDouble(), lose: 2}
	svc := &Service{Store: store, Now: clock()}
	st, err := svc.PutSetting(ctx, "u1", "s", "k", json.RawMessage(`"mine"`))
	if err != nil || string(st.Value) != `"mine"` || st.Version != 3 {
		t.Fatalf("after two lost races: %+v, %v", st, err)
	}
	store.lose = settingAttempts
	_, err = svc.PutSetting(ctx, "u1", "s", "k", json.RawMessage(`"again"`))
	expectCode(t, "always losing", err, failure.Conflict, "")
}
