package superoffice

import (
	"github.com/effektif-serverless/caseflow/shared/identity"
)

// The User entity of the User agent, as a client sends it: every field
// is typed so a value of the wrong type is refused, and optional (nil:
// left out). Only the fields the mapping reads are kept; the others are
// server-owned or not kept by caseflow and are checked and ignored.

type tableRight struct {
	Mask   *string
	Reason *string
}

type fieldInfo struct {
	FieldRight  *tableRight
	FieldType   *string
	FieldLength *int32
}

// rights are the carrier-common fields of every SuperOffice carrier.
type rights struct {
	TableRight      *tableRight
	FieldProperties map[string]fieldInfo
}

type listItem struct {
	Id      *int32
	Value   *string
	Tooltip *string
	rights
}

type userGroup struct {
	Value   *string
	Tooltip *string
	Id      *int32
	Rank    *int32
	Deleted *bool
	rights
}

type moduleLicenseLink struct {
	Unrestricted           *bool
	Total                  *int32
	Tooltip                *string
	CanAssign              *bool
	Free                   *int32
	InUse                  *int32
	IsHidden               *bool
	Assigned               *bool
	ModuleLicenseId        *int32
	Name                   *string
	Description            *string
	PrerequisiteModuleName *string
	SortOrder              *int32
	ExtraFlags             *int32
	rights
}

type licenseOwner struct {
	Name                       *string
	Description                *string
	RestrictedModuleLicenses   []moduleLicenseLink
	UnrestrictedModuleLicenses []moduleLicenseLink
	rights
}

type person struct {
	Position, Mrmrs, Firstname, Lastname, MiddleName, Title, Description, Email, FullName, DirectPhone, FormalName *string
	ContactName, ContactDepartment, ContactOrgNr, FaxPhone, MobilePhone, ContactPhone, AssociateName, ContactFax   *string
	Kanafname, Kanalname, Post1, Post2, Post3, EmailName, ContactFullName, CategoryName                            *string
	PersonId, CountryId, ContactId, Retired, Rank, ActiveInterests, ContactCountryId, AssociateId                  *int32
	ActiveErpLinks, TicketPriorityId, SupportLanguageId, SupportAssociateId                                        *int32
	UsePersonAddress                                                                                               *bool
	rights
}

type credentialType struct {
	DisplayType         *string
	Type                *string
	Description         *string
	ValueControl        *string
	CanCreatePerson     *bool
	IsUserNameSupported *bool
	rights
}

type credential struct {
	Type         *credentialType
	Value        *string
	DisplayValue *string
	rights
}

type mdoListItem struct {
	Id         *int32
	Name       *string
	ToolTip    *string
	Deleted    *bool
	Rank       *int32
	Type       *string
	ChildItems []mdoListItem
	IconHint   *string
	ColorBlock *int32
	ExtraInfo  *string
	StyleHint  *string
	FullName   *string
	rights
}

type customCommand struct {
	Name, DisplayName, Description, ToolTip, Actions, ActionData *string
	rights
}

// userEntity is the User a client sends.
type userEntity struct {
	AssociateId        *int32
	Name               *string
	Rank               *int32
	Tooltip            *string
	LicenseOwners      []licenseOwner
	Role               *listItem
	UserGroup          *userGroup
	OtherGroups        *[]userGroup
	Person             *person
	Deleted            *bool
	Lastlogin          *string
	Lastlogout         *string
	EjUserId           *int32
	RequestSignature   *string
	Type               *string
	IsPersonRetired    *bool
	IsOnTravel         *bool
	Credentials        []credential
	UserName           *string
	TicketCategories   []mdoListItem
	NickName           *string
	WaitingForApproval *bool
	ExtraFields        map[string]string
	CustomFields       map[string]string
	PostSaveCommands   []customCommand
	rights
}

// Roles, by their SuperOffice Id.
const (
	roleAdmin    int32 = 1
	roleMember   int32 = 2
	roleOperator int32 = 3
)

var roleNames = map[int32]string{roleAdmin: "Admin", roleMember: "Member", roleOperator: "Operator"}

var roleTooltips = map[int32]string{
	roleAdmin:    "Administers the organization and its members",
	roleMember:   "A member of the organization",
	roleOperator: "A member who runs what others build",
}

// roleOf is the Role Id of a membership.
func roleOf(m identity.Membership) int32 {
	switch {
	case m.IsAdmin():
		return roleAdmin
	case m.Operator:
		return roleOperator
	}
	return roleMember
}

// licenseIDs are the ModuleLicenseIds of the license types.
var licenseIDs = map[string]int32{"free": 1, "team": 2, "enterprise": 3}

// licenseOwnerName is the one LicenseOwner.
const licenseOwnerName = "Effektif"

// credentialPassword is the Type of the password credential.
const credentialPassword = "password"

// userAnswer is the User as answered: every top-level field, in the
// entity's PascalCase.
func userAnswer(v identity.MemberView, associateID int32, groupNumbers map[string]int32) map[string]any {
	u, m := v.User, v.Membership
	full := u.FirstName
	if u.LastName != "" {
		if full != "" {
			full += " "
		}
		full += u.LastName
	}
	role := roleOf(m)
	links := []map[string]any{}
	for _, pool := range v.Seats {
		links = append(links, map[string]any{
			"Unrestricted": false, "Total": pool.Total, "Free": pool.Free, "InUse": pool.Used, "Tooltip": "",
			"CanAssign": v.CallerIsAdmin, "IsHidden": false, "Assigned": pool.Held, "ModuleLicenseId": licenseIDs[pool.Type],
			"Name": pool.Type, "Description": "Effektif " + pool.Type + " license", "PrerequisiteModuleName": "",
			"SortOrder": licenseIDs[pool.Type], "ExtraFlags": 1,
		})
	}
	group := func(g identity.Group) map[string]any {
		return map[string]any{"Id": groupNumbers[g.ID], "Value": g.Name, "Tooltip": "", "Rank": 0, "Deleted": false}
	}
	var main any
	if v.MainGroup != nil {
		main = group(*v.MainGroup)
	}
	others := make([]map[string]any, len(v.OtherGroups))
	for i, g := range v.OtherGroups {
		others[i] = group(g)
	}
	credentials := []map[string]any{}
	if u.PasswordHash != "" {
		credentials = append(credentials, map[string]any{
			"Type": map[string]any{"DisplayType": "Password", "Type": credentialPassword, "Description": "The one password of the identity",
				"ValueControl": "Password", "CanCreatePerson": false, "IsUserNameSupported": true},
			"Value": "", "DisplayValue": u.Email,
		})
	}
	mask := "RestrictedUpdate"
	if v.CallerIsAdmin {
		mask = "FULL"
	}
	return map[string]any{
		"AssociateId": associateID,
		"Name":        m.Username,
		"Rank":        0,
		"Tooltip":     full,
		"LicenseOwners": []map[string]any{{
			"Name": licenseOwnerName, "Description": "The organization's license seats",
			"RestrictedModuleLicenses": links, "UnrestrictedModuleLicenses": []any{},
		}},
		"Role":        map[string]any{"Id": role, "Value": roleNames[role], "Tooltip": roleTooltips[role]},
		"UserGroup":   main,
		"OtherGroups": others,
		"Person": map[string]any{
			"PersonId": associateID, "Firstname": u.FirstName, "MiddleName": "", "Lastname": u.LastName, "FullName": full,
			"FormalName": full, "Email": u.Email, "EmailName": full, "AssociateId": associateID, "AssociateName": m.Username,
			"Retired": 0, "Position": "", "Title": "", "Mrmrs": "", "DirectPhone": u.Phone,
		},
		"Deleted":            m.Disabled,
		"Lastlogin":          nil,
		"Lastlogout":         nil,
		"EjUserId":           0,
		"RequestSignature":   "",
		"Type":               "InternalAssociate",
		"IsPersonRetired":    false,
		"IsOnTravel":         false,
		"Credentials":        credentials,
		"UserName":           u.Email,
		"TicketCategories":   []any{},
		"NickName":           "",
		"WaitingForApproval": false,
		"ExtraFields":        map[string]string{},
		"CustomFields":       map[string]string{},
		"PostSaveCommands":   []any{},
		"TableRight":         map[string]any{"Mask": mask, "Reason": ""},
		"FieldProperties":    map[string]any{},
	}
}
