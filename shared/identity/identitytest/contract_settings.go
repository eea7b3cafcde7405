package identitytest

import (
	"encoding/json"
	"time"

	"github.com/effektif-serverless/caseflow/shared/failure"
	"github.com/effektif-serverless/caseflow/shared/identity"
	"github.com/effektif-serverless/caseflow/shared/ids"
)

// The contract of settings and navigations.
func init() {
	contractCases = append(contractCases,
		contractCase{"settings: put new and replace on version, listed in key order, deleted on version", func(c *check) {
			user := ids.New()
			a := identity.UserSetting{Scope: "calendar", Key: "visible", Value: json.RawMessage(`{"ids":["x"]}`), Created: c.now, Updated: c.now, Version: 1}
			c.ok(c.s.PutSetting(c.ctx, user, a, nil), "put a new setting")
			c.fails(c.s.PutSetting(c.ctx, user, a, nil), failure.Conflict, true, "put it as new again")
			b := identity.UserSetting{Scope: "calendar", Key: "colors", Value: json.RawMessage(`[1]`), Created: c.now, Updated: c.now, Version: 1}
			c.ok(c.s.PutSetting(c.ctx, user, b, nil), "put another")
			keys, err := c.s.SettingKeys(c.ctx, user, 10)
			c.ok(err, "list keys")
			if len(keys) != 2 || keys[0].Key != "colors" || keys[1].Key != "visible" || len(keys[0].Value) != 0 {
				c.Fatalf("keys: %+v", keys)
			}
			stale := a
			a2 := a
			a2.Value, a2.Version, a2.Updated = json.RawMessage(`{}`), 2, c.now.Add(time.Second)
			c.ok(c.s.PutSetting(c.ctx, user, a2, &a), "replace on version")
			c.fails(c.s.PutSetting(c.ctx, user, a2, &stale), failure.Conflict, true, "replace on a stale version")
			got, err := c.s.GetSetting(c.ctx, user, "calendar", "visible")
			c.ok(err, "read")
			if string(got.Value) != `{}` || got.Version != 2 || !got.Created.Equal(c.now) {
				c.Fatalf("replaced: %+v", got)
			}
			scope, err := c.s.ScopeSettings(c.ctx, user, "calendar", 10)
			c.ok(err, "scope")
			if len(scope) != 2 || string(scope[1].Value) != `{}` {
				c.Fatalf("scope: %+v", scope)
			}
			c.fails(c.s.DeleteSetting(c.ctx, user, a), failure.Conflict, true, "delete on a stale version")
			c.ok(c.s.DeleteSetting(c.ctx, user, a2), "delete")
			_, err = c.s.GetSetting(c.ctx, user, "calendar", "visible")
			c.fails(err, failure.NotFound, false, "read a deleted setting")
			if other, _ := c.s.SettingKeys(c.ctx, ids.New(), 10); len(other) != 0 {
				c.Fatalf("another user's settings: %+v", other)
			}
		}},
		contractCase{"navigations: written once by id", func(c *check) {
			n := identity.Navigation{ID: "t" + ids.New()[:12], Name: "Sales", Configuration: json.RawMessage(`{"a":[{"key":"x"}]}`), Created: c.now}
			c.ok(c.s.PutNavigation(c.ctx, n), "put")
			c.is(c.s.PutNavigation(c.ctx, n), identity.ErrNavigationExists, "put again")
			got, err := c.s.GetNavigation(c.ctx, n.ID)
			c.ok(err, "read")
			if got.Name != "Sales" || string(got.Configuration) != string(n.Configuration) {
				c.Fatalf("navigation: %+v", got)
			}
			_, err = c.s.GetNavigation(c.ctx, "nosuchnavigat")
			c.fails(err, failure.NotFound, false, "an unknown navigation")
		}},
	)
}
