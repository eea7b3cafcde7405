// Package bpmn reads and writes BPMN 2.0 XML as workflows of package
// workflow (the Effektif model), the way Effektif mapped them, with its
// extension namespace http://effektif.com/bpmn20 (prefix e) for what plain
// BPMN cannot hold.
//
// # Reading
//
// Import reads any document a modeler writes: the BPMN namespace under any
// prefix (elements are matched by namespace URI, never by prefix), with or
// without an XML declaration, in UTF-8, UTF-16 (with or without a byte
// order mark), ISO-8859-1, windows-1252 or any other encoding the IANA or
// WHATWG registries name. It refuses a DOCTYPE that declares entities,
// documents over MaxSize bytes and elements nested deeper than MaxDepth.
//
// A document has one or more processes; Import imports one: the one with
// the most flow nodes (among equals an executable one, then the first).
// When that one is not executable and has elements the engine cannot run,
// the largest executable process that imports is taken instead, with a
// warning. Everything else of the document (other processes, the
// collaboration with its pools and message flows, messages, signals,
// errors, item definitions, other diagrams, root attributes and namespace
// declarations) is kept as XML in the workflow property bpmnDefinitions,
// and what the imported process holds besides flow elements (lanes, data
// objects, artifacts, vendor extensions) in the workflow's BPMN field, so
// that Export writes it all back.
//
// Mapping of flow elements (e: is the Effektif namespace, camunda: also
// stands for Activiti's and Flowable's):
//
//	startEvent (none, message, timer, signal)  startEvent; the definition stays in BPMN
//	endEvent                                   endEvent; terminateEventDefinition sets Terminate;
//	                                           message, signal, error, escalation definitions stay in BPMN
//	task, manualTask, intermediateThrowEvent   task (passes through); a throw event's message,
//	  (none, message, signal, escalation)      signal or escalation definition stays in BPMN
//	userTask                                   userTask: e:taskName, e:assigneeId, e:candidateId,
//	                                           e:candidateGroupId(s), e:form, e:dueDate, e:access; else
//	                                           camunda:assignee/candidateUsers/candidateGroups,
//	                                           zeebe:assignmentDefinition, humanPerformer (assignee)
//	                                           and potentialOwner (user(x), group(x), x = group) when
//	                                           they are ids or ${path} / =path; camunda:formData of
//	                                           simple fields becomes the form
//	serviceTask e:type="email", sendTask       email: e:fromEmailAddress, e:to/cc/bcc EmailAddress,
//	                                           UserId, GroupId, e:attachmentFileId, e:subject,
//	                                           e:bodyText, e:bodyHtml (a sendTask with a worker, see
//	                                           below, is a serviceTask)
//	serviceTask, businessRuleTask              serviceTask: serviceKey from e:serviceKey, camunda:topic
//	                                           (camunda:type="external"), zeebe:taskDefinition type or
//	                                           e:type, else DefaultServiceKey; actionKey from
//	                                           e:actionKey, else the activity id
//	scriptTask                                 scriptTask: scriptFormat and <script>, e:mapping
//	receiveTask, intermediateCatchEvent        receiveTask
//	  (message)
//	intermediateCatchEvent (timer)             timerEvent with Due (see timers.go for times)
//	exclusiveGateway, inclusiveGateway         same; default sets DefaultTransitionID
//	parallelGateway                            parallelGateway
//	callActivity                               call: calledElement or zeebe:calledElement ->
//	                                           SubWorkflowSource, e:subWorkflowId; camunda:in/out
//	                                           -> InputBindings/OutputBindings
//	subProcess                                 subProcessEmbedded with its own activities,
//	                                           transitions and e:variables
//	boundaryEvent (timer)                      a Timer of the attached activity: cancelActivity="false"
//	                                           sets NonInterrupting, its outgoing flows are
//	                                           ToTransitionIDs (their From is the timer's id)
//	sequenceFlow                               Transition; condition from e:condition, else a plain
//	                                           conditionExpression parseCondition can convert (${a > 1},
//	                                           =a, bpmn:getDataObject('a') = 'x', …); any other
//	                                           expression stays in BPMN, the condition is
//	                                           "unspecified" (ignored by the engine) and a warning says
//	                                           so; an empty one is no condition
//
// Any activity: name, documentation (description), e:property (Properties),
// e:input, e:output, e:configuration, and multi-instance from e:multiInstance,
// camunda:collection/elementVariable or zeebe:loopCharacteristics.
// Lanes, data objects and stores, text annotations, associations, groups,
// categories and anything of another namespace are not activities: they
// are kept, never an error.
//
// Import fails with an *UnsupportedError listing every element the engine
// cannot run: complexGateway, eventBasedGateway, transaction,
// adHocSubProcess, event sub-processes (subProcess triggeredByEvent),
// choreography elements, boundary events other than timers, catch events
// other than message and timer (signal, conditional, link, multiple), link
// and compensation throw events, compensation and cancel end events,
// conditional, error, escalation and compensation start events, activities
// for compensation, standard loops, multi-instance without a collection or
// with a completion condition, timers whose time is an expression other
// than a date (a duration or cycle from a variable, a cron cycle), and
// non-interrupting boundary timers that repeat. A sequence flow ending at
// an element that is not a flow node makes that element unsupported too.
// Malformed XML, a document without a process, duplicate ids or a boundary
// event attached to nothing are a *FormatError with the line.
//
// # Writing
//
// Export writes the model back as standard BPMN 2.0 (isExecutable="true",
// incoming and outgoing references, conditions also as JUEL
// conditionExpressions, timers as ISO 8601 durations or dates) with the
// Effektif extensions, inside what Import kept. BPMN DI comes from the
// workflow's Diagram (see diagram.go), and layout.go places what it lacks.
// Import completes the diagram the same way, so a workflow imported from a
// file without DI already has a layout.
//
// # Round trip
//
// Import, Export, Import gives the same workflow: the JSON of the whole
// model, including the kept XML (BPMN fields and bpmnDefinitions) and the
// diagram, is equal. Tests check it for every process of the BPMN MIWG
// corpus that imports and for the files under testdata.
package bpmn
