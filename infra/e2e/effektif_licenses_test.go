package e2e

import (
	"net/http"
	"sync"
	"testing"
)

func TestLicensesPurchaseAssignAndSeats(t *testing.T) {
	a := signUp(t, "License Admin")
	b := signUp(t, "License Member")
	c := signUp(t, "License Other")
	joinAsMember(t, a, b)
	joinAsMember(t, a, c)
	org := "/api/v1/" + a.OrgKey
	order := expect(t, call(t, "POST", org+"/purchase", a.Token, map[string]any{"licenseType": "team", "count": 2, "billingType": "yearly"}), http.StatusOK).JSON(t)
	ids := order["licenseIds"].([]any)
	if len(ids) != 2 || order["completed"] != true {
		t.Fatalf("order: %v", order)
	}
	for _, bad := range []map[string]any{{"licenseType": "platinum", "count": 1}, {"licenseType": "team", "count": 0}, {"licenseType": "team", "count": 1000}, {"licenseType": "team", "count": "two"}} {
		expectError(t, call(t, "POST", org+"/purchase", a.Token, bad), http.StatusBadRequest)
	}
	expectError(t, call(t, "POST", org+"/purchase", b.Token, map[string]any{"licenseType": "team", "count": 1}), http.StatusForbidden)

	seats := func() map[string]any {
		return expect(t, call(t, "GET", org+"/info/licenses", b.Token, nil), http.StatusOK).JSON(t)
	}
	if s := seats(); s["total"] != 2.0 || s["free"] != 2.0 || s["types"].(map[string]any)["team"].(map[string]any)["total"] != 2.0 {
		t.Fatalf("seats: %v", s)
	}
	first, second := ids[0].(string), ids[1].(string)
	l := expect(t, call(t, "PUT", org+"/licenses/"+first, a.Token, map[string]any{"userId": a.UserID}), http.StatusOK).JSON(t)
	if l["userId"] != a.UserID || l["type"] != "team" {
		t.Fatalf("assigned: %v", l)
	}
	if s := seats(); s["used"] != 1.0 || s["free"] != 1.0 {
		t.Fatalf("seats after assigning: %v", s)
	}
	expectError(t, call(t, "PUT", org+"/licenses/"+second, a.Token, map[string]any{"userId": a.UserID}), http.StatusConflict)
	expectError(t, call(t, "PUT", org+"/licenses/"+first, a.Token, map[string]any{"userId": b.UserID}), http.StatusConflict)
	expectError(t, call(t, "PUT", org+"/licenses/"+second, b.Token, map[string]any{"userId": b.UserID}), http.StatusForbidden)
	expectError(t, call(t, "PUT", org+"/licenses/"+second, a.Token, map[string]any{"userId": "000000000000000000000000"}), http.StatusBadRequest)

	// The last free seat goes to one of two concurrent assignments.
	statuses := make([]int, 2)
	var wg sync.WaitGroup
	for i, who := range []account{b, c} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = call(t, "PUT", org+"/licenses/"+second, a.Token, map[string]any{"userId": who.UserID}).Status
		}()
	}
	wg.Wait()
	if !(statuses[0] == 200 && statuses[1] == 409 || statuses[0] == 409 && statuses[1] == 200) {
		t.Fatalf("statuses %v, want one seat given", statuses)
	}
	if s := seats(); s["used"] != 2.0 || s["free"] != 0.0 {
		t.Fatalf("seats: %v", s)
	}
	// Taking a license back frees the seat.
	expect(t, call(t, "PUT", org+"/licenses/"+first, a.Token, map[string]any{"userId": ""}), http.StatusOK)
	if s := seats(); s["free"] != 1.0 {
		t.Fatalf("seats after taking back: %v", s)
	}
	var ls []map[string]any
	decodeJSON(t, expect(t, call(t, "GET", org+"/licenses", b.Token, nil), http.StatusOK).Body, &ls)
	if len(ls) != 2 {
		t.Fatalf("licenses: %v", ls)
	}
	expect(t, call(t, "GET", org+"/licenses/"+first, b.Token, nil), http.StatusOK)
	expectError(t, call(t, "GET", org+"/licenses/"+first, signUp(t, "License Outsider").Token, nil), http.StatusNotFound)
	profiled := expect(t, call(t, "POST", org+"/licenseProfiles/team", a.Token, nil), http.StatusOK).JSON(t)
	if profiled["licenseType"] != "team" {
		t.Fatalf("profile: %v", profiled)
	}
	var features []string
	decodeJSON(t, expect(t, call(t, "GET", org+"/features", b.Token, nil), http.StatusOK).Body, &features)
	if len(features) != 6 {
		t.Fatalf("team features: %v", features)
	}
	expectError(t, call(t, "POST", org+"/licenseProfiles/diamond", a.Token, nil), http.StatusBadRequest)
	expectError(t, call(t, "POST", org+"/licenseProfiles/team", b.Token, nil), http.StatusForbidden)

	// A member who is removed gives their seat back.
	held := expect(t, call(t, "GET", org+"/info/licenses", a.Token, nil), http.StatusOK).JSON(t)["free"]
	holder := b
	if statuses[1] == 200 {
		holder = c
	}
	expect(t, call(t, "DELETE", org+"/users/"+holder.UserID, a.Token, nil), http.StatusNoContent)
	if s := expect(t, call(t, "GET", org+"/info/licenses", a.Token, nil), http.StatusOK).JSON(t); s["free"] != held.(float64)+1 {
		t.Fatalf("seats after removing the holder: %v (free was %v)", s, held)
	}
}
