/*
 * Loops of Samen's pure cores in C, each the twin of a Python reference that stays the
 * definition (samen/understanding/compiled.py finds this module and says when it is not used):
 * the listening-rule matcher's per-post loop (below, docs/adr/0107-compiled-rule-matcher.md),
 * the trend terms of a post (docs/adr/0127-compiled-trend-terms.md) and the translation that
 * folds text and cuts it into words (docs/adr/0128-compiled-translation.md).
 *
 * RuleSet.match_indexes in match.py is the reference: this file does the same steps on the
 * same Python objects, in the same order per candidate, and returns the same list. It is
 * optional: when it was not built (no C compiler at install time) or SAMEN_PURE_PYTHON is set,
 * match.py runs its own loop. The per-word cache is a dict of every word seen (with an empty
 * tuple for a word that anchors nothing), so a known word costs one lookup; a new word is
 * learnt by calling back into Python (RuleSet._learn_known).
 *
 * A Matcher holds references to the RuleSet's index objects, which stay the same objects for
 * the RuleSet's life (the cache is emptied with .clear(), never replaced).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* sha256 of this file, set by setup.py: match.py compares it with the file it finds */
#ifndef SAMEN_SOURCE_DIGEST
#define SAMEN_SOURCE_DIGEST ""
#endif

typedef struct {
    PyObject_HEAD
    PyObject *known;       /* dict: every word seen -> tuple of the rule indexes it anchors */
    PyObject *learn;       /* callable: word -> that tuple, stored in `known` */
    PyObject *pairs;       /* dict: "first second" -> list of rule indexes */
    PyObject *pair_firsts; /* frozenset: the first words of those keys */
    PyObject *by_field;    /* dict: (name, value) -> list of rule indexes */
    PyObject *required;    /* dict: rule index -> frozenset of (name, value) it needs */
    PyObject *vetoes;      /* dict: rule index -> (words, pairs, fields) */
    PyObject *preds;       /* list: predicate, or None when the anchor proves the match */
    PyObject *full_preds;  /* list: every rule's predicate (for vetoes and always-checked) */
    PyObject *always;      /* tuple: indexes of rules without anchor */
} Matcher;

static PyObject *str_words, *str_wordset, *str_fields;

/* Every object a Matcher holds, listed once for clearing and for the collector's visits. */
#define MATCHER_FIELDS(X) \
    X(known) X(learn) X(pairs) X(pair_firsts) X(by_field) X(required) X(vetoes) X(preds) \
    X(full_preds) X(always)

static int
Matcher_clear(Matcher *self)
{
#define CLEAR_FIELD(name) Py_CLEAR(self->name);
    MATCHER_FIELDS(CLEAR_FIELD)
#undef CLEAR_FIELD
    return 0;
}

/* A RuleSet and its Matcher refer to each other (through RuleSet._learn_known): the cyclic
 * collector frees both when the RuleSet is dropped, e.g. after the rules changed. */
static void
Matcher_dealloc(Matcher *self)
{
    PyObject_GC_UnTrack(self);
    Matcher_clear(self);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
Matcher_traverse(Matcher *self, visitproc visit, void *arg)
{
#define VISIT_FIELD(name) Py_VISIT(self->name);
    MATCHER_FIELDS(VISIT_FIELD)
#undef VISIT_FIELD
    return 0;
}

static int
Matcher_init(Matcher *self, PyObject *args, PyObject *kwds)
{
    PyObject *known, *learn, *pairs, *pair_firsts, *by_field, *required, *vetoes, *preds, *full_preds,
        *always;
    if (!PyArg_ParseTuple(args, "O!OO!O!O!O!O!O!O!O!:Matcher", &PyDict_Type, &known, &learn,
                          &PyDict_Type, &pairs, &PyFrozenSet_Type, &pair_firsts, &PyDict_Type,
                          &by_field, &PyDict_Type, &required, &PyDict_Type, &vetoes,
                          &PyList_Type, &preds, &PyList_Type, &full_preds, &PyTuple_Type,
                          &always))
        return -1;
    if (self->known != NULL) {
        /* a second __init__ would free what a running call still reads */
        PyErr_SetString(PyExc_TypeError, "a Matcher is set up once");
        return -1;
    }
    if (PyList_GET_SIZE(preds) != PyList_GET_SIZE(full_preds)) {
        PyErr_SetString(PyExc_ValueError, "preds and full_preds differ in length");
        return -1;
    }
    if (!PyCallable_Check(learn)) {
        PyErr_SetString(PyExc_TypeError, "learn must be callable");
        return -1;
    }
    Py_XSETREF(self->known, Py_NewRef(known));
    Py_XSETREF(self->learn, Py_NewRef(learn));
    Py_XSETREF(self->pairs, Py_NewRef(pairs));
    Py_XSETREF(self->pair_firsts, Py_NewRef(pair_firsts));
    Py_XSETREF(self->by_field, Py_NewRef(by_field));
    Py_XSETREF(self->required, Py_NewRef(required));
    Py_XSETREF(self->vetoes, Py_NewRef(vetoes));
    Py_XSETREF(self->preds, Py_NewRef(preds));
    Py_XSETREF(self->full_preds, Py_NewRef(full_preds));
    Py_XSETREF(self->always, Py_NewRef(always));
    return 0;
}

/* Add every item of a list or tuple of rule indexes to the set. */
static int
add_all(PyObject *set, PyObject *seq)
{
    if (!PyList_Check(seq) && !PyTuple_Check(seq)) {
        PyErr_SetString(PyExc_TypeError, "rule indexes must be a list or a tuple");
        return -1;
    }
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **items = PySequence_Fast_ITEMS(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        if (PySet_Add(set, items[i]) < 0)
            return -1;
    }
    return 0;
}

/* For each item of the set `items`, add the rule indexes that `index` holds for it to
 * `candidates`. An item `index` lacks is learnt by calling `learn` (which stores it there),
 * or skipped when `learn` is NULL. 0 done, -1 error. */
static int
gather(PyObject *candidates, PyObject *items, PyObject *index, PyObject *learn)
{
    PyObject *it = PyObject_GetIter(items);
    if (it == NULL)
        return -1;
    PyObject *item;
    int status = 0;
    while ((item = PyIter_Next(it)) != NULL) {
        PyObject *hits = PyDict_GetItemWithError(index, item); /* borrowed */
        if (hits != NULL)
            Py_INCREF(hits);
        else if (!PyErr_Occurred() && learn != NULL)
            hits = PyObject_CallOneArg(learn, item);
        Py_DECREF(item);
        if (hits == NULL) {
            if (PyErr_Occurred()) {
                status = -1;
                break;
            }
            continue;
        }
        status = add_all(candidates, hits);
        Py_DECREF(hits);
        if (status < 0)
            break;
    }
    Py_DECREF(it);
    if (status == 0 && PyErr_Occurred())
        status = -1;
    return status;
}

/* Is some item of the set `items` in `container` (want 1), or missing from it (want 0)?
 * 1 yes, 0 no, -1 error. */
static int
some_item(PyObject *items, PyObject *container, int want)
{
    PyObject *it = PyObject_GetIter(items);
    if (it == NULL)
        return -1;
    PyObject *item;
    int found = 0;
    while ((item = PyIter_Next(it)) != NULL) {
        int r = PySet_Contains(container, item);
        Py_DECREF(item);
        if (r < 0 || r == want) {
            found = r < 0 ? -1 : 1;
            break;
        }
    }
    Py_DECREF(it);
    if (found == 0 && PyErr_Occurred())
        return -1;
    return found;
}

/* Does any item of `items` occur in `container` (both sets)? */
static int
any_in(PyObject *items, PyObject *container)
{
    if (!PyAnySet_Check(items) || !PyAnySet_Check(container)) {
        PyErr_SetString(PyExc_TypeError, "vetoes and a post's words and fields must be sets");
        return -1;
    }
    if (PySet_GET_SIZE(items) == 0 || PySet_GET_SIZE(container) == 0)
        return 0;
    return some_item(items, container, 1);
}

/* Is every item of `needed` in `have`? */
static int
all_in(PyObject *needed, PyObject *have)
{
    int missing = some_item(needed, have, 0);
    return missing < 0 ? -1 : !missing;
}

/* "first second" as one new str (what " ".join((first, second)) gives). */
static PyObject *
joined_pair(PyObject *a, PyObject *b)
{
    if (!PyUnicode_Check(a) || !PyUnicode_Check(b)) {
        PyErr_SetString(PyExc_TypeError, "a post's words must be str");
        return NULL;
    }
    Py_ssize_t la = PyUnicode_GET_LENGTH(a), lb = PyUnicode_GET_LENGTH(b);
    Py_UCS4 maxchar = PyUnicode_MAX_CHAR_VALUE(a);
    if (PyUnicode_MAX_CHAR_VALUE(b) > maxchar)
        maxchar = PyUnicode_MAX_CHAR_VALUE(b);
    if (maxchar < 127)
        maxchar = 127;
    PyObject *out = PyUnicode_New(la + 1 + lb, maxchar);
    if (out == NULL)
        return NULL;
    if (PyUnicode_CopyCharacters(out, 0, a, 0, la) < 0 ||
        PyUnicode_WriteChar(out, la, ' ') < 0 ||
        PyUnicode_CopyCharacters(out, la + 1, b, 0, lb) < 0) {
        Py_DECREF(out);
        return NULL;
    }
    return out;
}

/* Item i of a list of predicates (borrowed), or NULL with IndexError: the lists belong to
 * the RuleSet, so their length is checked at each use, not trusted from the start. */
static PyObject *
predicate_at(PyObject *list, Py_ssize_t i)
{
    if (i < 0 || i >= PyList_GET_SIZE(list)) {
        PyErr_SetString(PyExc_IndexError, "rule index out of range");
        return NULL;
    }
    return PyList_GET_ITEM(list, i);
}

/* Call a rule's predicate on the view: 1 true, 0 false, -1 error. */
static int
holds(PyObject *pred, PyObject *view)
{
    Py_INCREF(pred); /* borrowed from a list that Python code may change meanwhile */
    PyObject *r = PyObject_CallOneArg(pred, view);
    Py_DECREF(pred);
    if (r == NULL)
        return -1;
    int t = PyObject_IsTrue(r);
    Py_DECREF(r);
    return t;
}

/* Should candidate `idx` stay, by its required fields and its vetoes? 1 yes, 0 no, -1 error.
 * RuleSet._narrow in match.py says the same for one candidate. */
static int
survives(Matcher *self, PyObject *idx, Py_ssize_t i, PyObject *view, PyObject *ws,
         PyObject *fields, PyObject *found)
{
    PyObject *need = PyDict_GetItemWithError(self->required, idx);
    if (need != NULL) {
        int ok = all_in(need, fields);
        if (ok <= 0)
            return ok;
    }
    else if (PyErr_Occurred())
        return -1;
    PyObject *veto = PyDict_GetItemWithError(self->vetoes, idx);
    if (veto == NULL)
        return PyErr_Occurred() ? -1 : 1;
    if (!PyTuple_Check(veto) || PyTuple_GET_SIZE(veto) != 3) {
        PyErr_SetString(PyExc_TypeError, "a rule's vetoes must be (words, pairs, fields)");
        return -1;
    }
    int hit = any_in(PyTuple_GET_ITEM(veto, 0), ws);
    if (hit == 0 && found != NULL)
        hit = any_in(PyTuple_GET_ITEM(veto, 1), found);
    if (hit == 0)
        hit = any_in(PyTuple_GET_ITEM(veto, 2), fields);
    if (hit <= 0)
        return hit == 0 ? 1 : -1;
    /* a veto is there: the whole rule decides */
    PyObject *pred = predicate_at(self->full_preds, i);
    return pred == NULL ? -1 : holds(pred, view);
}

static PyObject *
Matcher_call(Matcher *self, PyObject *args, PyObject *kwds)
{
    PyObject *view;
    if (kwds != NULL && PyDict_GET_SIZE(kwds) > 0) {
        PyErr_SetString(PyExc_TypeError, "a Matcher takes the view only");
        return NULL;
    }
    if (!PyArg_UnpackTuple(args, "Matcher", 1, 1, &view))
        return NULL;
    PyObject *words = NULL, *ws = NULL, *fields = NULL, *candidates = NULL, *found = NULL,
             *order = NULL, *out = NULL;
    if (self->preds == NULL || self->known == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "the Matcher is not set up");
        return NULL;
    }
    Py_ssize_t nrules = PyList_GET_SIZE(self->preds);

    words = PyObject_GetAttr(view, str_words);
    if (words == NULL)
        goto fail;
    ws = PyObject_GetAttr(view, str_wordset);
    if (ws == NULL)
        goto fail;
    fields = PyObject_GetAttr(view, str_fields);
    if (fields == NULL)
        goto fail;
    if (!PyTuple_Check(words) || !PyAnySet_Check(ws) || !PyAnySet_Check(fields)) {
        PyErr_SetString(PyExc_TypeError, "a PostView needs a tuple of words and two sets");
        goto fail;
    }
    candidates = PySet_New(NULL);
    if (candidates == NULL)
        goto fail;

    /* the rules each of the post's words anchors (learnt once per word) */
    if (gather(candidates, ws, self->known, self->learn) < 0)
        goto fail;

    /* adjacent pairs, joined only where the first word starts some pair key */
    Py_ssize_t nw = PyTuple_GET_SIZE(words);
    if (PyDict_GET_SIZE(self->pairs) > 0) {
        for (Py_ssize_t k = 0; k + 1 < nw; k++) {
            PyObject *a = PyTuple_GET_ITEM(words, k);
            int first = PySet_Contains(self->pair_firsts, a);
            if (first < 0)
                goto fail;
            if (!first)
                continue;
            PyObject *key = joined_pair(a, PyTuple_GET_ITEM(words, k + 1));
            if (key == NULL)
                goto fail;
            PyObject *rules = PyDict_GetItemWithError(self->pairs, key);
            if (rules == NULL) {
                Py_DECREF(key);
                if (PyErr_Occurred())
                    goto fail;
                continue;
            }
            if (found == NULL && (found = PySet_New(NULL)) == NULL) {
                Py_DECREF(key);
                goto fail;
            }
            int r = PySet_Add(found, key);
            Py_DECREF(key);
            if (r < 0 || add_all(candidates, rules) < 0)
                goto fail;
        }
    }

    /* fields: lang:nl, hashtag:..., from:... */
    if (gather(candidates, fields, self->by_field, NULL) < 0)
        goto fail;

    out = PyList_New(0);
    if (out == NULL)
        goto fail;
    if (PySet_GET_SIZE(candidates) > 0) {
        order = PySequence_List(candidates);
        if (order == NULL)
            goto fail;
        Py_ssize_t nc = PyList_GET_SIZE(order);
        for (Py_ssize_t c = 0; c < nc; c++) {
            PyObject *idx = PyList_GET_ITEM(order, c);
            Py_ssize_t i = PyLong_AsSsize_t(idx);
            if (i == -1 && PyErr_Occurred())
                goto fail;
            if (i < 0 || i >= nrules) {
                PyErr_SetString(PyExc_IndexError, "rule index out of range");
                goto fail;
            }
            int keep = survives(self, idx, i, view, ws, fields, found);
            if (keep < 0)
                goto fail;
            if (!keep)
                continue;
            PyObject *pred = predicate_at(self->preds, i);
            if (pred == NULL)
                goto fail;
            if (pred != Py_None) {
                keep = holds(pred, view);
                if (keep < 0)
                    goto fail;
                if (!keep)
                    continue;
            }
            if (PyList_Append(out, idx) < 0)
                goto fail;
        }
    }

    /* rules without an anchor: checked on every post */
    Py_ssize_t na = PyTuple_GET_SIZE(self->always);
    for (Py_ssize_t a = 0; a < na; a++) {
        PyObject *idx = PyTuple_GET_ITEM(self->always, a);
        Py_ssize_t i = PyLong_AsSsize_t(idx);
        if (i == -1 && PyErr_Occurred())
            goto fail;
        if (i < 0 || i >= nrules) {
            PyErr_SetString(PyExc_IndexError, "rule index out of range");
            goto fail;
        }
        PyObject *pred = predicate_at(self->full_preds, i);
        if (pred == NULL)
            goto fail;
        int keep = holds(pred, view);
        if (keep < 0)
            goto fail;
        if (keep && PyList_Append(out, idx) < 0)
            goto fail;
    }
    if (PyList_GET_SIZE(out) > 1 && PyList_Sort(out) < 0)
        goto fail;

    Py_DECREF(words);
    Py_DECREF(ws);
    Py_DECREF(fields);
    Py_DECREF(candidates);
    Py_XDECREF(found);
    Py_XDECREF(order);
    return out;

fail:
    Py_XDECREF(words);
    Py_XDECREF(ws);
    Py_XDECREF(fields);
    Py_XDECREF(candidates);
    Py_XDECREF(found);
    Py_XDECREF(order);
    Py_XDECREF(out);
    return NULL;
}

static PyTypeObject MatcherType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "samen.understanding._speedups.Matcher",
    .tp_doc = PyDoc_STR("RuleSet.match_indexes after the per-word cache is learnt, in C."),
    .tp_basicsize = sizeof(Matcher),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)Matcher_init,
    .tp_dealloc = (destructor)Matcher_dealloc,
    .tp_traverse = (traverseproc)Matcher_traverse,
    .tp_clear = (inquiry)Matcher_clear,
    .tp_call = (ternaryfunc)Matcher_call,
};

/* ------------------------------------------------------------------------------------------
 * The trend terms of a post (samen/understanding/trends.py: terms_of; ADR 0127).
 *
 * terms_of's Python steps are the reference, and this does the same steps in the same order:
 * the hashtags found in the text; then, each on the previous step's output, every link,
 * mention, character entity and hashtag replaced by one space (re.sub of _URL, _MENTION,
 * _ENTITY and _HASHTAG); then the runs of letters of at least min_length characters, each
 * lower-cased and left out when it is a stop word; tags first, then words, each once.
 *
 * The character classes are those of Python's re for str patterns: \w is str.isalnum() or
 * "_" (Py_UNICODE_ISALNUM), \d is a decimal digit (Py_UNICODE_ISDECIMAL), a letter is a \w
 * that is neither, \s is Py_UNICODE_ISSPACE. IGNORECASE lets "s" in "https" also match
 * U+017F (long s) and [a-z] in an entity name also U+0130, U+0131, U+017F and U+212A (Kelvin
 * sign); no other character outside ASCII matches the patterns' letters. Lower-casing a run
 * that is not ASCII is str.lower itself. tests/understanding/test_trend_terms_compiled.py
 * compares the two on generated text full of the characters that matter.
 */

static inline int
u_word(Py_UCS4 c)
{
    if (c < 128)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    return Py_UNICODE_ISALNUM(c);
}

static inline int
u_digit(Py_UCS4 c)
{
    return c < 128 ? (c >= '0' && c <= '9') : Py_UNICODE_ISDECIMAL(c);
}

static inline int
u_letter(Py_UCS4 c)
{
    if (c < 128)
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    return Py_UNICODE_ISALNUM(c) && !Py_UNICODE_ISDECIMAL(c);
}

static inline int
u_space(Py_UCS4 c)
{
    if (c < 128)
        return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
    return Py_UNICODE_ISSPACE(c);
}

static inline int
u_hex(Py_UCS4 c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static inline Py_UCS4
u_ascii_lower(Py_UCS4 c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* [a-z] with IGNORECASE */
static inline int
u_name_letter(Py_UCS4 c)
{
    c = u_ascii_lower(c);
    return (c >= 'a' && c <= 'z') || c == 0x130 || c == 0x131 || c == 0x17f || c == 0x212a;
}

/* Does s[i:] start with `lit` (lower-case ASCII; "s" also matches U+017F), in any case? */
static inline int
u_starts(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t i, const char *lit)
{
    for (; *lit; lit++, i++) {
        if (i >= n)
            return 0;
        Py_UCS4 c = u_ascii_lower(s[i]);
        if (c != (Py_UCS4)(unsigned char)*lit && !(*lit == 's' && c == 0x17f))
            return 0;
    }
    return 1;
}

/* Each returns where a match starting at i ends, or -1 when none starts there. */

/* _HASHTAG: "#" or U+FF03 not after \w & / #, then a run of \w holding at least one
 * letter (the greedy pattern then takes the whole run). */
static Py_ssize_t
end_hashtag(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t i)
{
    if (s[i] != '#' && s[i] != 0xff03)
        return -1;
    if (i > 0) {
        Py_UCS4 p = s[i - 1];
        if (u_word(p) || p == '&' || p == '/' || p == '#')
            return -1;
    }
    Py_ssize_t j = i + 1;
    int letter = 0;
    while (j < n && u_word(s[j])) {
        letter |= u_letter(s[j]);
        j++;
    }
    return letter ? j : -1;
}

/* _URL: "http://", "https://" or "www." in any case, then non-space to the next space. */
static Py_ssize_t
end_url(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t i)
{
    Py_ssize_t k;
    if (u_starts(s, n, i, "http://"))
        k = i + 7;
    else if (u_starts(s, n, i, "https://"))
        k = i + 8;
    else if (u_starts(s, n, i, "www."))
        k = i + 4;
    else
        return -1;
    if (k >= n || u_space(s[k]))
        return -1;
    while (k < n && !u_space(s[k]))
        k++;
    return k;
}

/* _MENTION: "@" not after \w or "@", a \w, then any of \w . @ -. */
static Py_ssize_t
end_mention(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t i)
{
    if (s[i] != '@' || i + 1 >= n || !u_word(s[i + 1]))
        return -1;
    if (i > 0 && (u_word(s[i - 1]) || s[i - 1] == '@'))
        return -1;
    Py_ssize_t j = i + 2;
    while (j < n && (u_word(s[j]) || s[j] == '.' || s[j] == '@' || s[j] == '-'))
        j++;
    return j;
}

/* _ENTITY: &name; &#digits; &#xhex; or \uXXXX, in any case. */
static Py_ssize_t
end_entity(const Py_UCS4 *s, Py_ssize_t n, Py_ssize_t i)
{
    Py_ssize_t j = i + 1;
    if (s[i] == '\\') {
        if (j + 5 > n || u_ascii_lower(s[j]) != 'u')
            return -1;
        for (Py_ssize_t k = j + 1; k < j + 5; k++) {
            if (!u_hex(s[k]))
                return -1;
        }
        return j + 5;
    }
    if (s[i] != '&' || j >= n)
        return -1;
    if (u_name_letter(s[j])) {
        while (j < n && u_name_letter(s[j]))
            j++;
    }
    else if (s[j] == '#' && j + 1 < n && u_digit(s[j + 1])) {
        j += 1;
        while (j < n && u_digit(s[j]))
            j++;
    }
    else if (s[j] == '#' && j + 2 < n && u_ascii_lower(s[j + 1]) == 'x' && u_hex(s[j + 2])) {
        j += 2;
        while (j < n && u_hex(s[j]))
            j++;
    }
    else
        return -1;
    return (j < n && s[j] == ';') ? j + 1 : -1;
}

typedef Py_ssize_t (*end_fn)(const Py_UCS4 *, Py_ssize_t, Py_ssize_t);

/* Which characters a pattern's matches can start with. All are below 256 but the full-width
 * number sign, which starts what "#" starts (see blank_out). */
static unsigned char starts_url[256], starts_mention[256], starts_entity[256],
    starts_hashtag[256];

static void
init_starts(void)
{
    starts_url['h'] = starts_url['H'] = starts_url['w'] = starts_url['W'] = 1;
    starts_mention['@'] = 1;
    starts_entity['&'] = starts_entity['\\'] = 1;
    starts_hashtag['#'] = 1;
}

/* re.sub(pattern, " ", in): every match (found left to right, none overlapping, each looking
 * behind into `in`) becomes one space. Returns the output's length, with `*out` pointing at
 * it: `in` itself when nothing matched, else `buf` (at least n characters: no match is
 * empty, so the output is never longer than `in`). */
static Py_ssize_t
blank_out(const Py_UCS4 *in, Py_ssize_t n, Py_UCS4 *buf, const Py_UCS4 **out, end_fn end,
          const unsigned char *starts)
{
    Py_ssize_t o = 0, copied = 0;
    *out = in;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = in[i];
        if (!(c < 256 ? starts[c] : c == 0xff03 && starts['#']))
            continue;
        Py_ssize_t e = end(in, n, i);
        if (e < 0)
            continue;
        memcpy(buf + o, in + copied, (size_t)(i - copied) * sizeof(Py_UCS4));
        o += i - copied;
        buf[o++] = ' ';
        copied = e;
        i = e - 1;
    }
    if (copied == 0)
        return n;  /* nothing matched (a match sets copied past its start) */
    memcpy(buf + o, in + copied, (size_t)(n - copied) * sizeof(Py_UCS4));
    *out = buf;
    return o + n - copied;
}

static PyObject *str_lower, *str_hash;

/* s[0:len] lower-cased as str.lower does (ASCII in place, anything else by str.lower). */
static PyObject *
lowered(const Py_UCS4 *s, Py_ssize_t len)
{
    Py_UCS4 top = 0;
    for (Py_ssize_t j = 0; j < len; j++)
        top |= s[j];
    if (top < 128) {
        PyObject *out = PyUnicode_New(len, 127);
        if (out == NULL)
            return NULL;
        Py_UCS1 *d = PyUnicode_1BYTE_DATA(out);
        for (Py_ssize_t j = 0; j < len; j++)
            d[j] = (Py_UCS1)u_ascii_lower(s[j]);
        return out;
    }
    PyObject *run = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, s, len);
    if (run == NULL)
        return NULL;
    PyObject *out = PyObject_CallMethodNoArgs(run, str_lower);
    Py_DECREF(run);
    return out;
}

static PyObject *
trend_terms(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *text, *stop;
    Py_ssize_t min_length;
    if (!PyArg_ParseTuple(args, "UO!n:trend_terms", &text, &PyFrozenSet_Type, &stop,
                          &min_length))
        return NULL;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    /* the text and two work buffers, one character each */
    Py_UCS4 *mem = PyMem_Malloc((3 * (size_t)n + 1) * sizeof(Py_UCS4));
    if (mem == NULL)
        return PyErr_NoMemory();
    Py_UCS4 *s = mem, *a = mem + n, *b = mem + 2 * n;
    PyObject *seen = NULL;
    if (PyUnicode_AsUCS4(text, s, n + 1, 0) == NULL)
        goto fail;
    seen = PyDict_New();
    if (seen == NULL)
        goto fail;
    int tagged = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (s[i] != '#' && s[i] != 0xff03)
            continue;
        tagged = 1;
        Py_ssize_t e = end_hashtag(s, n, i);
        if (e < 0)
            continue;
        PyObject *tag = lowered(s + i + 1, e - i - 1);
        PyObject *term = tag == NULL ? NULL : PyUnicode_Concat(str_hash, tag);
        Py_XDECREF(tag);
        if (term == NULL || PyDict_SetItem(seen, term, Py_None) < 0) {
            Py_XDECREF(term);
            goto fail;
        }
        Py_DECREF(term);
        i = e - 1;
    }
    /* each step reads the previous one's output and writes into the buffer it did not read */
    const Py_UCS4 *plain;
    Py_ssize_t m = blank_out(s, n, a, &plain, end_url, starts_url);
    m = blank_out(plain, m, plain == a ? b : a, &plain, end_mention, starts_mention);
    m = blank_out(plain, m, plain == a ? b : a, &plain, end_entity, starts_entity);
    if (tagged)
        m = blank_out(plain, m, plain == a ? b : a, &plain, end_hashtag, starts_hashtag);
    for (Py_ssize_t i = 0; i < m;) {
        if (!u_letter(plain[i])) {
            i++;
            continue;
        }
        Py_ssize_t j = i + 1;
        while (j < m && u_letter(plain[j]))
            j++;
        if (j - i >= min_length) {
            PyObject *word = lowered(plain + i, j - i);
            if (word == NULL)
                goto fail;
            int skip = PySet_Contains(stop, word);
            if (skip < 0 || (!skip && PyDict_SetItem(seen, word, Py_None) < 0)) {
                Py_DECREF(word);
                goto fail;
            }
            Py_DECREF(word);
        }
        i = j;
    }
    PyMem_Free(mem);
    PyObject *out = PyDict_Keys(seen);
    Py_DECREF(seen);
    return out;

fail:
    PyMem_Free(mem);
    Py_XDECREF(seen);
    return NULL;
}

/* ------------------------------------------------------------------------------------------
 * str.translate through a learning table, then split if asked (samen/understanding/text.py:
 * fold and the word runs; ADR 0128).
 *
 * `table` is one of text.py's translation tables: a dict subclass whose __missing__ works out
 * and stores what a character becomes. For a character outside ASCII this does what
 * str.translate does: look the code up (a miss calls __missing__), then write the str it gives
 * (None deletes the character, an int is a code point; a character the table does not know
 * stays as it is). A character in ASCII is written as `ascii[c]` instead: the table's own
 * answer for it, as one byte (text.py builds `ascii` from the table, and a test compares the
 * two for every ASCII character). So most characters of a
 * text with one "é" in it cost one byte lookup, where str.translate asks the dict for each.
 * With `split`, the result is cut at white space as str.split() cuts it.
 */

typedef struct {
    Py_UCS4 *buf;
    Py_ssize_t len, cap;
} Ucs4Out;

static int
out_reserve(Ucs4Out *o, Py_ssize_t more)
{
    if (o->len + more <= o->cap)
        return 0;
    Py_ssize_t cap = o->cap * 2 > o->len + more ? o->cap * 2 : o->len + more + 16;
    Py_UCS4 *grown = PyMem_Realloc(o->buf, (size_t)cap * sizeof(Py_UCS4));
    if (grown == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    o->buf = grown;
    o->cap = cap;
    return 0;
}

/* Append what `rep` (the table's value for a character) says the character becomes. */
static int
out_mapped(Ucs4Out *o, PyObject *rep)
{
    if (PyUnicode_Check(rep)) {
        Py_ssize_t k = PyUnicode_GET_LENGTH(rep);
        if (out_reserve(o, k) < 0)
            return -1;
        int kind = PyUnicode_KIND(rep);
        const void *data = PyUnicode_DATA(rep);
        for (Py_ssize_t j = 0; j < k; j++)
            o->buf[o->len++] = PyUnicode_READ(kind, data, j);
        return 0;
    }
    if (rep == Py_None)
        return 0;
    if (PyLong_Check(rep)) {
        long v = PyLong_AsLong(rep);
        if (v == -1 && PyErr_Occurred())
            return -1;
        if (v < 0 || v > 0x10ffff) {
            PyErr_SetString(PyExc_ValueError, "character mapping must be in range(0x110000)");
            return -1;
        }
        if (out_reserve(o, 1) < 0)
            return -1;
        o->buf[o->len++] = (Py_UCS4)v;
        return 0;
    }
    PyErr_SetString(PyExc_TypeError, "character mapping must return integer, None or str");
    return -1;
}

static PyObject *
translate_text(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *text, *table;
    Py_buffer ascii;
    int split;
    if (!PyArg_ParseTuple(args, "UO!y*p:translate", &text, &PyDict_Type, &table, &ascii, &split))
        return NULL;
    PyObject *result = NULL;
    Ucs4Out o = {NULL, 0, 0};
    if (ascii.len < 128) {
        PyErr_SetString(PyExc_ValueError, "the ASCII table needs 128 bytes");
        goto done;
    }
    const unsigned char *low = ascii.buf;
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    int kind = PyUnicode_KIND(text);
    const void *data = PyUnicode_DATA(text);
    if (out_reserve(&o, n + 1) < 0)
        goto done;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_UCS4 c = PyUnicode_READ(kind, data, i);
        if (c < 128) {
            if (out_reserve(&o, 1) < 0)
                goto done;
            o.buf[o.len++] = low[c];
            continue;
        }
        PyObject *key = PyLong_FromUnsignedLong(c);
        if (key == NULL)
            goto done;
        PyObject *rep = PyDict_GetItemWithError(table, key); /* borrowed */
        if (rep != NULL) {
            Py_INCREF(rep);
        }
        else if (!PyErr_Occurred()) {
            rep = PyObject_GetItem(table, key); /* a miss: __missing__ learns it */
        }
        Py_DECREF(key);
        if (rep == NULL) {
            /* as str.translate: a character the table does not know stays as it is */
            if (!PyErr_ExceptionMatches(PyExc_LookupError) || out_reserve(&o, 1) < 0)
                goto done;
            PyErr_Clear();
            o.buf[o.len++] = c;
            continue;
        }
        int rc = out_mapped(&o, rep);
        Py_DECREF(rep);
        if (rc < 0)
            goto done;
    }
    if (!split) {
        result = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, o.buf, o.len);
        goto done;
    }
    result = PyList_New(0);
    if (result == NULL)
        goto done;
    for (Py_ssize_t i = 0; i < o.len;) {
        if (Py_UNICODE_ISSPACE(o.buf[i])) {
            i++;
            continue;
        }
        Py_ssize_t j = i + 1;
        while (j < o.len && !Py_UNICODE_ISSPACE(o.buf[j]))
            j++;
        PyObject *run = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, o.buf + i, j - i);
        if (run == NULL || PyList_Append(result, run) < 0) {
            Py_XDECREF(run);
            Py_CLEAR(result);
            goto done;
        }
        Py_DECREF(run);
        i = j;
    }

done:
    PyMem_Free(o.buf);
    PyBuffer_Release(&ascii);
    return result;
}

static PyMethodDef speedups_functions[] = {
    {"translate", translate_text, METH_VARARGS,
     PyDoc_STR("translate(text, table, ascii, split): text.translate(table), each ASCII "
               "character through ascii; cut at white space when split.")},
    {"trend_terms", trend_terms, METH_VARARGS,
     PyDoc_STR("trend_terms(text, stop_words, min_length): trends.terms_of(text).")},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef speedups_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "samen.understanding._speedups",
    .m_doc = PyDoc_STR("Optional compiled loops of the rule matcher and of the trend terms."),
    .m_size = -1,
    .m_methods = speedups_functions,
};

PyMODINIT_FUNC
PyInit__speedups(void)
{
    if (PyType_Ready(&MatcherType) < 0)
        return NULL;
    init_starts();
    str_lower = PyUnicode_InternFromString("lower");
    str_hash = PyUnicode_InternFromString("#");
    if (str_lower == NULL || str_hash == NULL)
        return NULL;
    str_words = PyUnicode_InternFromString("words");
    str_wordset = PyUnicode_InternFromString("wordset");
    str_fields = PyUnicode_InternFromString("fields");
    if (str_words == NULL || str_wordset == NULL || str_fields == NULL)
        return NULL;
    PyObject *m = PyModule_Create(&speedups_module);
    if (m == NULL)
        return NULL;
    if (PyModule_AddObjectRef(m, "Matcher", (PyObject *)&MatcherType) < 0 ||
        PyModule_AddStringConstant(m, "SOURCE_DIGEST", SAMEN_SOURCE_DIGEST) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
