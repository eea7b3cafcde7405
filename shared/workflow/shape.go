package workflow

import (
	"github.com/effektif-serverless/caseflow/shared/failure"
)

// Bounds on the size of a workflow definition.
const (
	MaxActivities  = 2000
	MaxTransitions = 4000
	MaxVariables   = 500
	MaxIDLength    = 200
)

// CheckShape checks what every stored definition, even an unfinished
// draft, must satisfy: bounded sizes, and activities, transitions and
// variables (and boundary events) with non-empty, unique ids of bounded
// length and activities with a type. It does not check that the workflow
// can run (engine.Validate does).
// Errors: an Invalid *failure.Error naming the element.
func CheckShape(w *Workflow) error {
	if len(w.Variables) > MaxVariables {
		return failure.Field("variables", "a workflow has at most %d variables", MaxVariables)
	}
	seen := map[string]string{}
	unique := func(kind, id string) error {
		switch {
		case id == "":
			return failure.Field(kind, "every %s needs an id", kind)
		case len(id) > MaxIDLength:
			return failure.Field(kind, "%s id %.40q... is longer than %d bytes", kind, id, MaxIDLength)
		case seen[id] != "":
			return failure.Field(kind, "id %q is used twice (by a %s and a %s)", id, seen[id], kind)
		}
		seen[id] = kind
		return nil
	}
	for _, v := range w.Variables {
		if err := unique("variable", v.ID); err != nil {
			return err
		}
	}
	activities, transitions := 0, 0
	var scope func(acts []Activity, trans []Transition) error
	scope = func(acts []Activity, trans []Transition) error {
		activities += len(acts)
		transitions += len(trans)
		if activities > MaxActivities || transitions > MaxTransitions {
			return failure.Field("activities", "a workflow has at most %d activities and %d transitions", MaxActivities, MaxTransitions)
		}
		for _, a := range acts {
			if err := unique("activity", a.ID); err != nil {
				return err
			}
			if a.Type == "" {
				return failure.Field("activities", "activity %q has no type", a.ID)
			}
			for _, b := range a.BoundaryEvents {
				if err := unique("boundary event", b.ID); err != nil {
					return err
				}
			}
			if err := scope(a.Activities, a.Transitions); err != nil {
				return err
			}
		}
		for _, t := range trans {
			if t.ID == "" {
				continue // transitions may be anonymous
			}
			if err := unique("transition", t.ID); err != nil {
				return err
			}
		}
		return nil
	}
	return scope(w.Activities, w.Transitions)
}
