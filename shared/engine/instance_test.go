package engine

import (
	"encoding/json"
	"slices"
	"testing"
)

// storedInstanceJSON has something in every list Clone copies: nested
// activity instances (two levels), variables at each level, held
// conditions, elements, pending compensations, compensable instances and
// timers.
const storedInstanceJSON = `{"id":"i","workflowId":"w","start":"2024-03-01T09:30:00.000Z",
 "activityInstances":[
  {"id":"1","activityId":"s","start":"2024-03-01T09:30:00.000Z","end":"2024-03-01T09:30:00.000Z","duration":0},
  {"id":"2","activityId":"p","start":"2024-03-01T09:30:00.000Z","workState":"scope","held":["c1"],
   "variableInstances":[{"id":"2","variableId":"local","value":"x"}],
   "activityInstances":[
    {"id":"3","activityId":"m","start":"2024-03-01T09:30:00.000Z","workState":"multi","elements":["a","b"],
     "activityInstances":[{"id":"4","activityId":"m","start":"2024-03-01T09:30:00.000Z","workState":"waiting",
      "variableInstances":[{"id":"3","variableId":"e","value":"\"a\""}]}]},
    {"id":"5","activityId":"t","start":"2024-03-01T09:30:00.000Z","workState":"compensating","pending":["1","6"]}]}],
 "variableInstances":[{"id":"1","variableId":"v","type":{"name":"text"},"value":"\"x\""}],
 "held":["c0"],
 "timerInstances":[{"id":"t1","activityInstanceId":"4","dueDate":"2024-03-02T09:30:00.000Z"}],
 "lastActivityInstanceId":5,"lastVariableInstanceId":3,"compensable":["1"]}`

func storedInstance(t *testing.T) *Instance {
	t.Helper()
	var inst Instance
	if err := json.Unmarshal([]byte(storedInstanceJSON), &inst); err != nil {
		t.Fatal(err)
	}
	return &inst
}

// TestCloneIsDeepAndLinked: a clone reads back as the same JSON, links
// each activity instance to its own parent copy, and nothing done to it
// (appending to or changing any of its lists, changing any of its
// instances) changes the original, or any other list of the clone.
func TestCloneIsDeepAndLinked(t *testing.T) {
	for _, spare := range []int{0, newInstanceBlock} {
		inst := storedInstance(t)
		before := mustJSON(t, inst)
		c := new(Instance)
		extra := inst.cloneInto(c, spare, false)
		if got := mustJSON(t, c); got != before {
			t.Fatalf("spare %d: clone differs:\n%s\n%s", spare, got, before)
		}
		if len(extra) != spare || slices.ContainsFunc(extra, func(ai ActivityInstance) bool { return ai.ID != "" }) {
			t.Fatalf("spare %d: %d spare activity instances, not all zero", spare, len(extra))
		}
		var check func(list []*ActivityInstance, parent *ActivityInstance)
		check = func(list []*ActivityInstance, parent *ActivityInstance) {
			for _, ai := range list {
				if ai.parent != parent {
					t.Fatalf("spare %d: %s's parent is %p, want %p", spare, ai.ID, ai.parent, parent)
				}
				if inst.ActivityInstance(ai.ID) == ai {
					t.Fatalf("spare %d: %s is shared with the original", spare, ai.ID)
				}
				check(ai.ActivityInstances, ai)
			}
		}
		check(c.ActivityInstances, nil)

		// Appending to each list of the clone (the top-level one into its
		// spare room) leaves its other lists as they were: without the
		// appended elements, it is the same JSON.
		for i := range extra {
			c.ActivityInstances = append(c.ActivityInstances, &extra[i])
		}
		resizeLists(c, 1)
		c.ActivityInstances = c.ActivityInstances[:len(c.ActivityInstances)-len(extra)]
		resizeLists(c, -1)
		if got := mustJSON(t, c); got != before {
			t.Fatalf("spare %d: appending to the clone's lists changed others:\n%s\n%s", spare, got, before)
		}

		// Changing everything in a clone in place, then appending to its
		// lists, leaves the original as it was.
		c = inst.Clone()
		c.walk(func(ai *ActivityInstance) bool {
			ai.WorkState, ai.End = "changed", Time{t0}
			ai.Held = slices.DeleteFunc(ai.Held, func(string) bool { return true })
			for i := range ai.Elements {
				ai.Elements[i] = raw(`"changed"`)
			}
			for i := range ai.Pending {
				ai.Pending[i] = "changed"
			}
			for _, vi := range ai.VariableInstances {
				vi.Value = raw(`"changed"`)
			}
			return true
		})
		c.Held[0] = "changed"
		c.Compensable[0] = "changed"
		c.VariableInstances[0].Value = raw(`"changed"`)
		c.TimerInstances[0].DueDate = Time{t0}
		resizeLists(c, 1)
		if got := mustJSON(t, inst); got != before {
			t.Fatalf("spare %d: changing the clone changed the original:\n%s\n%s", spare, got, before)
		}
		if got := mustJSON(t, inst.Clone()); got != before {
			t.Fatalf("spare %d: Clone differs:\n%s\n%s", spare, got, before)
		}
	}
}

// resizeLists appends one element to every list of inst (by > 0), or
// drops the last one from each (by < 0).
func resizeLists(inst *Instance, by int) {
	var scope func(s *Scope)
	scope = func(s *Scope) {
		for _, ai := range s.ActivityInstances {
			if ai.ID == "new" {
				continue
			}
			scope(&ai.Scope)
			resize(&ai.Elements, raw(`"new"`), by)
			resize(&ai.Pending, "new", by)
		}
		resize(&s.ActivityInstances, &ActivityInstance{ID: "new"}, by)
		resize(&s.VariableInstances, &VariableInstance{ID: "new"}, by)
		resize(&s.Held, "new", by)
	}
	scope(&inst.Scope)
	resize(&inst.Compensable, "new", by)
	resize(&inst.TimerInstances, &TimerInstance{ID: "new"}, by)
}

func resize[T any](list *[]T, v T, by int) {
	if by > 0 {
		*list = append(*list, v)
	} else {
		*list = (*list)[:len(*list)-1]
	}
}

// TestOperationCopySharesOnlySettled: the copy an operation works on
// shares the settled top-level activity instances (ended, nothing in
// them) with the original, and copies the rest as Clone does.
func TestOperationCopySharesOnlySettled(t *testing.T) {
	inst := storedInstance(t)
	before := mustJSON(t, inst)
	c := new(Instance)
	inst.cloneInto(c, newInstanceBlock, true)
	if got := mustJSON(t, c); got != before {
		t.Fatalf("copy differs:\n%s\n%s", got, before)
	}
	for i, ai := range c.ActivityInstances {
		orig := inst.ActivityInstances[i]
		if shared := ai == orig; shared != orig.settled() {
			t.Errorf("%s: shared %v, settled %v", ai.ID, shared, orig.settled())
		}
	}
	if !inst.ActivityInstances[0].settled() || inst.ActivityInstances[1].settled() {
		t.Fatal("the fixture has one settled top-level instance and one running")
	}
	p := c.ActivityInstances[1]
	for _, child := range p.ActivityInstances {
		if child.parent != p {
			t.Errorf("%s's parent is not the copy of its scope", child.ID)
		}
	}
}
