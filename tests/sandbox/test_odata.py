import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.odata import (
    ODataError,
    apply_select,
    parse_filter,
    parse_orderby,
    parse_query,
    parse_select,
    parse_skip,
    parse_top,
)

AGENDA = {
    "@odata.etag": 'W/"CQAAABYAAAA"',
    "id": "m1",
    "subject": "Agenda collegevergadering",
    "importance": "high",
    "isRead": False,
    "receivedDateTime": "2026-11-24T09:00:00Z",
    "from": {"emailAddress": {"name": "Griffie", "address": "griffie@zeeveen.nl"}},
    "categories": ["Rood", "Bestuur"],
    "flag": {"flagStatus": "flagged"},
    "attendees": [{"emailAddress": {"address": "wethouder@zeeveen.nl"}, "type": "required"}],
    "size": 2048,
    "score": 7.5,
}
MEMO = {
    "@odata.etag": 'W/"CQAAABYAAAB"',
    "id": "m2",
    "subject": "Let's meet for lunch?",
    "importance": "low",
    "isRead": True,
    "receivedDateTime": "2026-11-24T10:30:00.1234567+01:00",  # 09:30:00.123Z
    "from": {"emailAddress": {"name": "Burgemeester", "address": "burgemeester@zeeveen.nl"}},
    "categories": [],
    "flag": {"flagStatus": "notFlagged"},
    "attendees": [],
    "size": 512,
    "score": 7.25,
}
NOTE = {"id": "m3", "subject": "Notitie", "importance": "normal", "isRead": False}
MAIL = [AGENDA, MEMO, NOTE]


def ids(expr: str) -> list[str]:
    keep = parse_filter(expr)
    return [m["id"] for m in MAIL if keep(m)]


def refusal(expr: str) -> ODataError:
    with pytest.raises(ODataError) as caught:
        parse_filter(expr)
    return caught.value


# -- comparisons -----------------------------------------------------------------------------


def test_eq_matches_a_string_ignoring_case():
    assert ids("subject eq 'agenda COLLEGEVERGADERING'") == ["m1"]


def test_ne_keeps_everything_that_differs_including_missing_values():
    assert ids("importance ne 'high'") == ["m2", "m3"]


def test_gt_and_lt_compare_numbers():
    assert ids("size gt 1000") == ["m1"]
    assert ids("size lt 1000") == ["m2"]


def test_ge_and_le_include_the_boundary():
    assert ids("size ge 2048") == ["m1"]
    assert ids("size le 512") == ["m2"]


def test_a_decimal_literal_compares_with_stored_numbers():
    assert ids("score gt 7.3") == ["m1"]


def test_booleans_compare_with_true_and_false():
    assert ids("isRead eq true") == ["m2"]
    assert ids("isRead eq false") == ["m1", "m3"]


def test_a_bare_boolean_property_is_a_filter_on_its_own():
    assert ids("isRead") == ["m2"]


def test_enum_values_compare_as_strings():
    assert ids("importance eq 'High'") == ["m1"]


def test_a_doubled_quote_inside_a_string_is_one_quote():
    assert ids("subject eq 'let''s meet for lunch?'") == ["m2"]


def test_a_missing_property_is_null():
    assert ids("flag eq null") == ["m3"]
    assert ids("flag ne null") == ["m1", "m2"]


def test_ordering_against_null_is_never_true():
    assert ids("size lt 999999") == ["m1", "m2"]


def test_property_paths_walk_into_complex_values():
    assert ids("from/emailAddress/address eq 'griffie@zeeveen.nl'") == ["m1"]
    assert ids("flag/flagStatus eq 'flagged'") == ["m1"]


def test_property_names_ignore_case_as_in_graphs_own_examples():
    assert ids(
        "ReceivedDateTime ge 2026-11-24T09:15:00Z and Subject eq 'let''s meet for lunch?'"
    ) == ["m2"]


def test_complex_values_compare_for_equality_only():
    assert ids("from eq from and flag ne from") == ["m1", "m2"]
    assert ids("from gt flag") == []


def test_in_matches_any_listed_value():
    assert ids("importance in ('low', 'normal')") == ["m2", "m3"]


def test_a_guid_literal_needs_no_quotes_and_ignores_case():
    item = {"appId": "72f988bf-86f1-41af-91ab-2d7cd011db47"}
    assert parse_filter("appId eq 72F988BF-86F1-41AF-91AB-2D7CD011DB47")(item)


# -- datetimes -------------------------------------------------------------------------------


def test_an_unquoted_datetime_compares_as_an_instant_across_offsets():
    assert ids("receivedDateTime gt 2026-11-24T09:15:00Z") == ["m2"]


def test_a_datetime_literal_with_an_offset_is_converted_to_utc():
    assert ids("receivedDateTime eq 2026-11-24T10:00:00+01:00") == ["m1"]


def test_a_datetime_literal_with_a_fraction_is_precise():
    assert ids("receivedDateTime ge 2026-11-24T09:30:00.123Z") == ["m2"]
    assert ids("receivedDateTime gt 2026-11-24T09:30:00.124Z") == []


def test_a_date_literal_means_midnight_utc():
    assert ids("receivedDateTime ge 2026-11-24 and receivedDateTime lt 2026-11-25") == ["m1", "m2"]


def test_quoted_iso_strings_compare_as_instants_when_both_sides_are_datetimes():
    event = {"start": {"dateTime": "2017-07-01T08:00:00.0000000", "timeZone": "UTC"}}
    assert parse_filter("start/dateTime ge '2017-07-01T08:00'")(event)


# -- logic -----------------------------------------------------------------------------------


def test_and_needs_both_sides():
    assert ids("isRead eq false and importance eq 'high'") == ["m1"]


def test_or_needs_either_side():
    assert ids("importance eq 'low' or importance eq 'normal'") == ["m2", "m3"]


def test_and_binds_tighter_than_or():
    # a or (b and c): the NOTE matches through `a` although `c` is false for it
    assert ids("importance eq 'normal' or isRead eq true and size gt 9999") == ["m3"]


def test_parentheses_override_precedence():
    assert ids("(importance eq 'normal' or isRead eq true) and size gt 9999") == []


def test_not_negates_a_parenthesised_expression():
    assert ids("not(importance eq 'high')") == ["m2", "m3"]


def test_not_binds_tighter_than_eq_as_odata_specifies():
    # (not isRead) eq true
    assert ids("not isRead eq true") == ["m1", "m3"]


def test_not_of_null_stays_null_and_drops_the_item():
    assert ids("not flag/flagStatus") == []


def test_operators_and_functions_ignore_case():
    assert ids("NOT startsWith(subject, 'agenda') AND isRead EQ true") == ["m2"]


# -- functions -------------------------------------------------------------------------------


def test_startswith_ignores_case():
    assert ids("startswith(subject, 'AGENDA')") == ["m1"]


def test_endswith_matches_the_tail():
    assert ids("endswith(from/emailAddress/address, '@ZEEVEEN.nl')") == ["m1", "m2"]


def test_contains_matches_anywhere():
    assert ids("contains(subject, 'college')") == ["m1"]


def test_a_function_on_a_missing_property_drops_the_item():
    assert ids("contains(body/content, 'x')") == []


# -- lambdas ---------------------------------------------------------------------------------


def test_any_over_strings_binds_the_range_variable():
    assert ids("categories/any(c:c eq 'rood')") == ["m1"]


def test_any_over_objects_walks_from_the_range_variable():
    assert ids("attendees/any(a:a/emailAddress/address eq 'wethouder@zeeveen.nl')") == ["m1"]


def test_any_without_a_body_asks_for_a_non_empty_collection():
    assert ids("categories/any()") == ["m1"]


def test_all_holds_for_every_element_and_for_an_empty_collection():
    assert ids("categories/all(c:c ne 'Groen')") == ["m1", "m2", "m3"]
    assert ids("categories/all(c:c eq 'Rood')") == ["m2", "m3"]


def test_a_lambda_body_can_still_reach_the_item():
    assert ids("categories/any(c:c eq 'Bestuur' and isRead eq false)") == ["m1"]


def test_not_negates_a_lambda():
    assert ids("not categories/any(c:c eq 'Rood')") == ["m2", "m3"]


def test_count_segment_measures_a_collection():
    assert ids("categories/$count eq 0") == ["m2"]


# -- filter errors ---------------------------------------------------------------------------


def test_an_unclosed_parenthesis_is_refused_where_the_input_ends():
    err = refusal("(subject eq 'x'")
    assert err.code == "BadRequest"
    assert "')' or operator expected at position 15" in err.message
    assert "'(' at column 1" in err.message


def test_an_extra_closing_parenthesis_is_refused():
    err = refusal("subject eq 'x')")
    assert err.code == "BadRequest"
    assert "Syntax error at position 14" in err.message and "')' at column 15" in err.message


def test_an_unknown_operator_is_refused_by_name():
    err = refusal("subject like 'x'")
    assert err.code == "BadRequest"
    assert "'like' at column 9" in err.message


def test_trailing_tokens_are_refused():
    err = refusal("isRead eq true false")
    assert err.code == "BadRequest"
    assert "'false' at column 16" in err.message


def test_an_unterminated_string_is_refused():
    err = refusal("subject eq 'abc")
    assert err.code == "BadRequest"
    assert "unterminated string literal" in err.message and "'abc at column 12" in err.message


def test_an_unknown_function_is_refused_by_name():
    err = refusal("substringof('x', subject)")
    assert err.code == "BadRequest"
    assert "An unknown function with name 'substringof' was found." in err.message


def test_a_function_with_the_wrong_number_of_arguments_is_refused():
    err = refusal("startswith(subject)")
    assert err.code == "BadRequest"
    assert "'startswith'" in err.message and "got 1" in err.message


def test_a_missing_operand_is_refused():
    err = refusal("subject eq")
    assert err.code == "BadRequest"
    assert "Expression expected at position 10" in err.message


def test_an_invalid_character_is_refused_with_its_position():
    err = refusal("subject eq %27x%27")
    assert err.code == "BadRequest"
    assert "character '%' is not valid at position 11" in err.message


def test_a_malformed_datetime_is_refused():
    err = refusal("receivedDateTime ge 2025-11-16T23.21.32Z")
    assert err.code == "BadRequest"
    assert "'2025-11-16T23.21.32Z'" in err.message


def test_a_filter_that_is_not_boolean_is_refused():
    err = refusal("'agenda'")
    assert err.code == "BadRequest"
    assert "must evaluate to a single boolean value" in err.message and "'agenda'" in err.message


def test_an_empty_filter_is_refused():
    err = refusal("")
    assert err.code == "BadRequest"
    assert "Expression expected at position 0" in err.message


def test_runaway_nesting_is_refused_instead_of_exhausting_the_stack():
    err = refusal("(" * 500 + "isRead" + ")" * 500)
    assert err.code == "BadRequest"
    assert "nests deeper" in err.message and "'(' at column 51" in err.message


def test_a_lambda_without_a_range_variable_is_refused():
    err = refusal("categories/any(eq 'Rood')")
    assert err.code == "BadRequest"
    assert "'eq' at column 16" in err.message


# -- $orderby --------------------------------------------------------------------------------


def ordered(expr: str, items: list[dict] = MAIL) -> list[str]:
    return [m["id"] for m in parse_orderby(expr)(items)]


def test_orderby_defaults_to_ascending_with_nulls_first():
    assert ordered("size") == ["m3", "m2", "m1"]


def test_orderby_desc_puts_nulls_last():
    assert ordered("size desc") == ["m1", "m2", "m3"]


def test_orderby_sorts_datetimes_as_instants_not_as_text():
    # MEMO's "10:30+01:00" is 09:30Z: later than AGENDA's 09:00Z, though it sorts first as text
    assert ordered("receivedDateTime desc") == ["m2", "m1", "m3"]


def test_orderby_takes_several_keys_with_their_own_directions():
    items = [
        {"id": "a", "from": {"emailAddress": {"name": "Zorg"}}, "subject": "b"},
        {"id": "b", "from": {"emailAddress": {"name": "Griffie"}}, "subject": "a"},
        {"id": "c", "from": {"emailAddress": {"name": "zorg"}}, "subject": "a"},
    ]
    assert ordered("from/emailAddress/name desc,subject", items) == ["c", "a", "b"]


def test_orderby_direction_keywords_ignore_case():
    assert ordered("size DESC") == ["m1", "m2", "m3"]


def test_orderby_refuses_an_unknown_direction():
    with pytest.raises(ODataError) as caught:
        parse_orderby("subject upward")
    assert caught.value.code == "BadRequest"
    assert "'upward' at column 9" in caught.value.message


def test_orderby_refuses_an_empty_key():
    with pytest.raises(ODataError) as caught:
        parse_orderby("subject,,size")
    assert caught.value.code == "BadRequest"
    assert "column 9" in caught.value.message


def test_orderby_refuses_something_that_is_not_a_path():
    with pytest.raises(ODataError) as caught:
        parse_orderby("sub-ject")
    assert "'sub-ject'" in caught.value.message


# -- $select ---------------------------------------------------------------------------------


def test_select_matches_names_ignoring_case_and_returns_the_stored_key():
    out = apply_select(AGENDA, parse_select("SUBJECT,From"))
    assert out == {
        "@odata.etag": AGENDA["@odata.etag"],
        "id": "m1",
        "subject": AGENDA["subject"],
        "from": AGENDA["from"],
    }


def test_select_keeps_odata_annotations():
    item = {"@odata.type": "#microsoft.graph.eventMessage", "id": "e1", "subject": "x", "size": 1}
    assert apply_select(item, ["size"]) == {
        "@odata.type": "#microsoft.graph.eventMessage",
        "id": "e1",
        "size": 1,
    }


def test_select_returns_a_picked_property_that_is_absent_as_null():
    assert apply_select(NOTE, ["flag"])["flag"] is None


def test_select_star_returns_everything():
    assert apply_select(AGENDA, parse_select("*")) == AGENDA


def test_select_without_a_select_returns_everything():
    assert apply_select(AGENDA, None) == AGENDA


def test_select_can_leave_out_the_id_for_directory_objects():
    assert apply_select({"id": "u1", "displayName": "A"}, ["displayName"], always=()) == {
        "displayName": "A"
    }


def test_select_with_a_type_cast_applies_only_to_that_type():
    meeting = {
        "@odata.type": "#microsoft.graph.eventMessage",
        "id": "e1",
        "meetingMessageType": "x",
    }
    fields = parse_select("microsoft.graph.eventMessage/meetingMessageType")
    assert apply_select(meeting, fields)["meetingMessageType"] == "x"
    assert "meetingMessageType" not in apply_select(NOTE, fields)


def test_select_with_known_names_refuses_an_unknown_property_as_outlook_does():
    with pytest.raises(ODataError) as caught:
        parse_select(
            "subject,isJunk", known={"subject", "from"}, entity_type="microsoft.graph.message"
        )
    assert caught.value.code == "RequestBroker--ParseUri"
    assert caught.value.message == (
        "Could not find a property named 'isJunk' on type 'microsoft.graph.message'."
    )


def test_select_with_known_names_returns_the_canonical_case():
    assert parse_select("RECEIVEDDATETIME", known={"receivedDateTime"}) == ["receivedDateTime"]


def test_select_refuses_an_empty_name():
    with pytest.raises(ODataError) as caught:
        parse_select("subject,,from")
    assert caught.value.code == "BadRequest"
    assert "empty property name at column 9" in caught.value.message


def test_select_refuses_a_name_with_invalid_characters():
    with pytest.raises(ODataError) as caught:
        parse_select("sub ject")
    assert "'sub ject'" in caught.value.message


# -- $top, $skip -----------------------------------------------------------------------------


def test_top_reads_a_page_size():
    assert parse_top("25") == 25


def test_top_allows_the_message_maximum_of_1000():
    assert parse_top("1000") == 1000


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "", " 5"])
def test_top_refuses_anything_but_a_non_negative_integer(value):
    with pytest.raises(ODataError) as caught:
        parse_top(value)
    assert caught.value.code == "BadRequest"
    assert f"Invalid value '{value}' for $top query option found." in caught.value.message


def test_top_refuses_a_page_above_the_maximum():
    with pytest.raises(ODataError) as caught:
        parse_top("1000", maximum=999)
    assert (
        caught.value.message
        == "Invalid page size specified: '1000'. Must be between 1 and 999 inclusive."
    )


def test_top_refuses_zero():
    with pytest.raises(ODataError) as caught:
        parse_top("0")
    assert "'0'" in caught.value.message


def test_skip_reads_an_offset_including_zero():
    assert parse_skip("0") == 0
    assert parse_skip("20") == 20


@pytest.mark.parametrize("value", ["-3", "x", "99999999999"])
def test_skip_refuses_anything_but_a_non_negative_integer(value):
    with pytest.raises(ODataError) as caught:
        parse_skip(value)
    assert caught.value.code == "BadRequest"
    assert f"'{value}'" in caught.value.message


# -- parse_query -----------------------------------------------------------------------------


def test_query_reads_all_dollar_options():
    q = parse_query(
        {
            "$filter": "isRead eq false",
            "$orderby": "size desc",
            "$select": "subject",
            "$top": "5",
            "$skip": "1",
            "$expand": "attachments",
            "$count": "true",
            "$search": '"pizza"',
        }
    )
    assert [m["id"] for m in q.orderby([m for m in MAIL if q.filter(m)])] == ["m1", "m3"]
    assert (q.select, q.top, q.skip, q.expand, q.count, q.search) == (
        ["subject"],
        5,
        1,
        "attachments",
        True,
        '"pizza"',
    )


def test_query_accepts_names_without_dollar_as_outlook_does():
    q = parse_query({"select": "subject", "top": "3"})
    assert (q.select, q.top) == (["subject"], 3)


def test_query_option_names_ignore_case():
    assert parse_query({"$TOP": "4"}).top == 4


def test_query_leaves_other_parameters_to_the_route():
    q = parse_query({"startDateTime": "2026-11-24T00:00:00Z", "$top": "2"})
    assert q.extra == {"startDateTime": "2026-11-24T00:00:00Z"}


def test_query_without_unprefixed_names_treats_them_as_other_parameters():
    q = parse_query({"select": "displayName"}, allow_unprefixed=False)
    assert q.select is None and q.extra == {"select": "displayName"}


def test_query_refuses_an_option_given_twice():
    with pytest.raises(ODataError) as caught:
        parse_query([("$filter", "isRead"), ("filter", "isRead")])
    assert caught.value.code == "BadRequest"
    assert "Query option '$filter' was specified more than once" in caught.value.message


def test_query_refuses_an_unknown_dollar_option():
    with pytest.raises(ODataError) as caught:
        parse_query({"$fitler": "isRead"})
    assert caught.value.code == "BadRequest"
    assert "'$fitler'" in caught.value.message


def test_query_refuses_a_count_that_is_not_a_boolean():
    with pytest.raises(ODataError) as caught:
        parse_query({"$count": "yes"})
    assert "'yes'" in caught.value.message


def test_query_passes_known_names_to_select():
    with pytest.raises(ODataError) as caught:
        parse_query({"$select": "nope"}, known={"subject"}, entity_type="microsoft.graph.message")
    assert caught.value.code == "RequestBroker--ParseUri"


# -- robustness ------------------------------------------------------------------------------

TOKENS = "eq ne gt ge lt le and or not in has ( ) , : / 'x' ' any all c true null 1 -2.5".split()
TOKENS += ["from", "flag", "categories", "size", "$count", "startswith", "2026-11-24T09:00:00Z"]
GARBAGE = st.text(max_size=60) | st.lists(st.sampled_from(TOKENS), max_size=14).map(" ".join)


@pytest.mark.slow
@settings(max_examples=600, deadline=None)
@given(GARBAGE)
def test_garbage_never_raises_anything_but_odata_error(text):
    for parse in (parse_filter, parse_orderby, parse_select, parse_top, parse_skip):
        try:
            result = parse(text)
        except ODataError:
            continue
        if parse is parse_filter:
            [result(m) for m in MAIL]
        elif parse is parse_orderby:
            result(MAIL)
        elif parse is parse_select:
            [apply_select(m, result) for m in MAIL]
