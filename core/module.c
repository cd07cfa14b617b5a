/* actcli._core: the Python face of the compiled core (see narrow.c).

    narrow(name, x, out, doubtful, parameters, format) -> number of doubtful values

float32: x and out are float32, out correctly rounded but at the doubtful; other formats: x
holds the format's values as float64, out gets the unrounded doubles. doubtful (intp, as long as
x) gets the indices the rounding test could not decide, first. The GIL is released meanwhile,
so CSV chunks run in parallel. kernels() lists (name, bound) in the table's order.

    ufunc(name, kernel, given, fixed, doc) -> a NumPy ufunc
    settle_with(settle, check)

make the ufuncs of actcli.ufuncs: inputs x and `given` parameters (float64; `fixed` ones follow
them, softplus's threshold), float16, float32 and float64 loops. The float16 and float32 loops
run the core and hand its doubtful values to settle(kernel, x as bytes of doubles, parameters,
format) -> bytes of the correctly rounded doubles (actcli.ufuncs: the accurate path); the float64
loop hands it every value (float64 is the double-double path, not yet compiled). Parameters
that check(kernel, parameters) refuses give NaN, as NumPy's ufuncs do for a domain error.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <fenv.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>
#include <numpy/ufuncobject.h>

#include "core.h"

static const struct core_kernel *kernels = core_kernels_baseline;
static const struct core_wide_kernel *wide_kernels = core_wide_kernels_baseline;

static const struct core_wide_kernel *wide_kernel(const char *name) {
    const struct core_wide_kernel *kernel = wide_kernels;
    while (kernel->name != NULL && strcmp(kernel->name, name) != 0) kernel++;
    return kernel->name != NULL ? kernel : NULL;
}

/* A kernel's parameters (at most 4, checked by the caller) as doubles; -1 with an exception set. */
static int parameters_of(PyObject *parameters, double *values) {
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(parameters); i++) {
        values[i] = PyFloat_AsDouble(PyTuple_GET_ITEM(parameters, i));
        if (values[i] == -1.0 && PyErr_Occurred()) return -1;
    }
    return 0;
}

static const struct {
    const char *name;
    struct core_format format;
} formats[] = {
    {"float32", {0x1p-23, 0x1p-149, 0x1.fffffep127, INFINITY}},
    {"float16", {0x1p-10, 0x1p-24, 65504.0, INFINITY}},
    {"bfloat16", {0x1p-7, 0x1p-133, 0x1.fep127, INFINITY}},
    {"float8_e4m3fn", {0x1p-3, 0x1p-9, 448.0, NAN}},
    {"float8_e5m2", {0x1p-2, 0x1p-16, 57344.0, INFINITY}},
};

static PyObject *narrow(PyObject *self, PyObject *args) {
    (void)self;
    const char *name, *format_name;
    Py_buffer x, out, doubtful;
    PyObject *parameters;
    if (!PyArg_ParseTuple(args, "sy*w*w*O!s", &name, &x, &out, &doubtful, &PyTuple_Type, &parameters,
                          &format_name))
        return NULL;
    PyObject *result = NULL;
    const struct core_kernel *kernel = kernels;
    while (kernel->name != NULL && strcmp(kernel->name, name) != 0) kernel++;
    const struct core_format *format = NULL;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcmp(formats[i].name, format_name) == 0) format = &formats[i].format;
    int single = format == &formats[0].format; /* float32: its own loop, float32 in and out */
    const struct core_wide_kernel *wide = strcmp(format_name, "float64") == 0 ? wide_kernel(name) : NULL;
    Py_ssize_t width = single ? (Py_ssize_t)sizeof(float) : (Py_ssize_t)sizeof(double);
    Py_ssize_t n = x.len / width, count = PyTuple_GET_SIZE(parameters), undecided = 0;
    double values[4] = {0};
    if (wide == NULL && (kernel->name == NULL || format == NULL)) {
        PyErr_Format(PyExc_LookupError, "the core has no kernel %s in %s", name, format_name);
        goto done;
    }
    if (x.len % width != 0 || out.len != x.len || doubtful.len < n * (Py_ssize_t)sizeof(ptrdiff_t) || count > 4) {
        PyErr_SetString(PyExc_ValueError, "x and out must hold as many values of the format's width, "
                                          "doubtful as many indices (intp)");
        goto done;
    }
    if (parameters_of(parameters, values) < 0) goto done;
    Py_BEGIN_ALLOW_THREADS
    if (wide != NULL)
        undecided = wide->float64(x.buf, out.buf, doubtful.buf, n, values, NULL);
    else if (single)
        undecided = kernel->float32(x.buf, out.buf, doubtful.buf, n, values, format);
    else
        undecided = kernel->narrow(x.buf, out.buf, doubtful.buf, n, values, format);
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(undecided);
done:
    PyBuffer_Release(&x);
    PyBuffer_Release(&out);
    PyBuffer_Release(&doubtful);
    return result;
}

static PyObject *list_kernels(PyObject *self, PyObject *unused) {
    (void)self, (void)unused;
    PyObject *list = PyList_New(0);
    for (const struct core_kernel *k = kernels; list != NULL && k->name != NULL; k++) {
        PyObject *entry = Py_BuildValue("(si)", k->name, k->bound);
        if (entry == NULL || PyList_Append(list, entry) < 0) Py_CLEAR(list);
        Py_XDECREF(entry);
    }
    return list;
}

static PyObject *wide_parts(PyObject *self, PyObject *args) {
    (void)self;
    const char *name;
    Py_buffer x, hi, lo, scale;
    PyObject *parameters;
    if (!PyArg_ParseTuple(args, "sy*w*w*w*O!", &name, &x, &hi, &lo, &scale, &PyTuple_Type, &parameters)) return NULL;
    PyObject *result = NULL;
    const struct core_wide_kernel *kernel = wide_kernel(name);
    double values[4] = {0};
    Py_ssize_t count = PyTuple_GET_SIZE(parameters);
    if (kernel == NULL || count > 4 || x.len % 8 || hi.len != x.len || lo.len != x.len || scale.len != x.len) {
        PyErr_Format(PyExc_ValueError, "no float64 kernel %s, or arrays of other lengths", name);
        goto done;
    }
    if (parameters_of(parameters, values) < 0) goto done;
    kernel->parts(x.buf, hi.buf, lo.buf, scale.buf, x.len / 8, values);
    Py_INCREF(Py_None);
    result = Py_None;
done:
    PyBuffer_Release(&x);
    PyBuffer_Release(&hi);
    PyBuffer_Release(&lo);
    PyBuffer_Release(&scale);
    return result;
}

static PyObject *float32_audit(PyObject *self, PyObject *args) {
    (void)self;
    const char *name;
    Py_buffer x, out, exact, doubtful;
    PyObject *parameters;
    if (!PyArg_ParseTuple(args, "sy*w*w*w*O!", &name, &x, &out, &exact, &doubtful, &PyTuple_Type, &parameters))
        return NULL;
    PyObject *result = NULL;
    const struct core_wide_kernel *kernel = wide_kernel(name);
    double values[4] = {0};
    Py_ssize_t n = x.len / 4, undecided = 0;
    if (kernel == NULL || PyTuple_GET_SIZE(parameters) > 4 || x.len % 4 || out.len != x.len
        || exact.len != 2 * x.len || doubtful.len < n * (Py_ssize_t)sizeof(ptrdiff_t)) {
        PyErr_Format(PyExc_ValueError, "no float64 kernel %s, or arrays of other lengths", name);
        goto done;
    }
    if (parameters_of(parameters, values) < 0) goto done;
    Py_BEGIN_ALLOW_THREADS
    undecided = kernel->float32(x.buf, out.buf, exact.buf, doubtful.buf, n, values);
    Py_END_ALLOW_THREADS
    result = PyLong_FromSsize_t(undecided);
done:
    PyBuffer_Release(&x);
    PyBuffer_Release(&out);
    PyBuffer_Release(&exact);
    PyBuffer_Release(&doubtful);
    return result;
}

static PyObject *tally(PyObject *self, PyObject *args) {
    (void)self;
    Py_buffer x, y, correct, exact, wrong, errors, counts;
    int emin, precision;
    if (!PyArg_ParseTuple(args, "y*y*y*y*iiw*w*w*", &x, &y, &correct, &exact, &emin, &precision, &wrong, &errors,
                          &counts))
        return NULL;
    PyObject *result = NULL;
    Py_ssize_t n = x.len / 4;
    if (x.len % 4 || y.len != x.len || correct.len != x.len || exact.len != 2 * x.len
        || wrong.len < n * (Py_ssize_t)sizeof(ptrdiff_t) || errors.len < exact.len
        || counts.len != CORE_TALLY_COUNTS * (Py_ssize_t)sizeof(int64_t)) {
        PyErr_SetString(PyExc_ValueError, "tally: arrays of other lengths");
    } else {
        ptrdiff_t found;
        Py_BEGIN_ALLOW_THREADS
        found = core_tally(x.buf, y.buf, correct.buf, exact.buf, n, emin, precision, wrong.buf, errors.buf,
                           counts.buf);
        Py_END_ALLOW_THREADS
        result = PyLong_FromSsize_t(found);
    }
    Py_buffer *buffers[] = {&x, &y, &correct, &exact, &wrong, &errors, &counts};
    for (size_t i = 0; i < sizeof buffers / sizeof *buffers; i++) PyBuffer_Release(buffers[i]);
    return result;
}

static PyObject *list_wide_kernels(PyObject *self, PyObject *unused) {
    (void)self, (void)unused;
    PyObject *table = PyDict_New();
    for (const struct core_wide_kernel *k = wide_kernels; table != NULL && k->name != NULL; k++) {
        PyObject *bound = PyFloat_FromDouble(k->bound);
        if (bound == NULL || PyDict_SetItemString(table, k->name, bound) < 0) Py_CLEAR(table);
        Py_XDECREF(bound);
    }
    return table;
}


/* --- ufuncs -------------------------------------------------------------------------------- */

struct ufunc_data {
    const struct core_kernel *kernel;
    const struct core_wide_kernel *wide; /* NULL: float64 is the accurate path's, every value */
    int given;       /* parameters given as inputs */
    int fixed;       /* then fixed ones (softplus's threshold: none, +inf) */
    double fixed_values[4];
    PyObject *kernel_name;
};

static PyObject *settler = NULL, *checker = NULL;

static PyObject *parameter_tuple(const struct ufunc_data *u, const double *p) {
    PyObject *parameters = PyTuple_New(u->given + u->fixed);
    for (int k = 0; parameters != NULL && k < u->given + u->fixed; k++)
        PyTuple_SET_ITEM(parameters, k, PyFloat_FromDouble(p[k]));
    return parameters;
}

/* Whether the parameters are valid, as the registry says (asked once for each new set). */
struct validity {
    double last[4];
    int known, answer;
};
static int valid(const struct ufunc_data *u, const double *p, struct validity *v) {
    if (v->known && memcmp(v->last, p, sizeof(double) * (size_t)u->given) == 0) return v->answer;
    PyGILState_STATE state = PyGILState_Ensure();
    PyObject *parameters = parameter_tuple(u, p);
    PyObject *result = parameters != NULL && checker != NULL
                           ? PyObject_CallFunctionObjArgs(checker, u->kernel_name, parameters, NULL) : NULL;
    v->answer = result != NULL && PyObject_IsTrue(result) == 1;
    if (PyErr_Occurred()) PyErr_WriteUnraisable(u->kernel_name);
    Py_XDECREF(result);
    Py_XDECREF(parameters);
    PyGILState_Release(state);
    memcpy(v->last, p, sizeof(double) * (size_t)u->given);
    v->known = 1;
    return v->answer;
}

/* values[0..count) in place: the accurate path's correctly rounded doubles (the GIL is taken). */
static void settle(const struct ufunc_data *u, double *values, ptrdiff_t count, const double *p,
                   const char *format) {
    PyGILState_STATE state = PyGILState_Ensure();
    PyObject *parameters = parameter_tuple(u, p), *result = NULL;
    if (parameters != NULL && settler != NULL)
        result = PyObject_CallFunction(settler, "Oy#Os", u->kernel_name, (const char *)values,
                                       (Py_ssize_t)(count * (ptrdiff_t)sizeof(double)), parameters, format);
    if (result != NULL && PyBytes_Check(result) && PyBytes_GET_SIZE(result) == count * (Py_ssize_t)sizeof(double))
        memcpy(values, PyBytes_AS_STRING(result), (size_t)count * sizeof(double));
    else if (PyErr_Occurred())
        PyErr_WriteUnraisable(u->kernel_name);
    Py_XDECREF(result);
    Py_XDECREF(parameters);
    PyGILState_Release(state);
}

/* The run of elements from i on with the same parameters (at most BLOCK_UFUNC), into p. */
#define BLOCK_UFUNC 1024
static npy_intp run_of(char **args, const npy_intp *steps, npy_intp i, npy_intp n, const struct ufunc_data *u,
                       double *p) {
    for (int k = 0; k < u->given; k++) p[k] = *(const double *)(args[1 + k] + i * steps[1 + k]);
    for (int k = 0; k < u->fixed; k++) p[u->given + k] = u->fixed_values[k];
    int broadcast = 1; /* the common case: one value a parameter, for the whole array */
    for (int k = 0; k < u->given; k++) broadcast &= steps[1 + k] == 0;
    if (broadcast) return n - i < BLOCK_UFUNC ? n - i : BLOCK_UFUNC;
    npy_intp m = 1;
    for (; i + m < n && m < BLOCK_UFUNC; m++) {
        int same = 1;
        for (int k = 0; k < u->given; k++)
            same &= memcmp(args[1 + k] + (i + m) * steps[1 + k], &p[k], sizeof(double)) == 0;
        if (!same) break;
    }
    return m;
}

/* The kernels compute both sides of their branches, where the discarded one may overflow: no
   floating-point flag of theirs means anything to NumPy, which would warn about it. */
static void clear_flags(void) { feclearexcept(FE_ALL_EXCEPT); }

/* Contiguous and distinct (NumPy copies overlapping operands first, but for exactly in place):
   the kernel then reads the input and writes the output where they are, with no copies. */
static int direct(char **args, const npy_intp *steps, npy_intp out, npy_intp size) {
    return steps[0] == size && steps[out] == size && args[0] != args[out];
}

static void loop_float32(char **args, const npy_intp *dimensions, const npy_intp *steps, void *data) {
    const struct ufunc_data *u = data;
    npy_intp n = dimensions[0], out = 1 + u->given;
    int copied = !direct(args, steps, out, sizeof(float));
    float x_copy[BLOCK_UFUNC], y_copy[BLOCK_UFUNC];
    ptrdiff_t doubtful[BLOCK_UFUNC];
    double hard[BLOCK_UFUNC], p[8];
    struct validity validity = {{0}, 0, 0};
    for (npy_intp i = 0; i < n;) {
        npy_intp m = run_of(args, steps, i, n, u, p);
        const float *x = copied ? x_copy : (const float *)args[0] + i;
        float *y = copied ? y_copy : (float *)args[out] + i;
        for (npy_intp j = 0; copied && j < m; j++) x_copy[j] = *(const float *)(args[0] + (i + j) * steps[0]);
        if (valid(u, p, &validity)) {
            ptrdiff_t count = u->kernel->float32(x, y, doubtful, m, p, &formats[0].format);
            for (ptrdiff_t c = 0; c < count; c++) hard[c] = x[doubtful[c]];
            if (count) settle(u, hard, count, p, "float32");
            for (ptrdiff_t c = 0; c < count; c++) y[doubtful[c]] = (float)hard[c];
        } else {
            for (npy_intp j = 0; j < m; j++) y[j] = NAN;
        }
        for (npy_intp j = 0; copied && j < m; j++) *(float *)(args[out] + (i + j) * steps[out]) = y_copy[j];
        i += m;
    }
    clear_flags();
}

static void loop_float16(char **args, const npy_intp *dimensions, const npy_intp *steps, void *data) {
    const struct ufunc_data *u = data;
    npy_intp n = dimensions[0], out = 1 + u->given;
    double x[BLOCK_UFUNC], y[BLOCK_UFUNC], hard[BLOCK_UFUNC], p[8];
    ptrdiff_t doubtful[BLOCK_UFUNC];
    struct validity validity = {{0}, 0, 0};
    for (npy_intp i = 0; i < n;) {
        npy_intp m = run_of(args, steps, i, n, u, p);
        for (npy_intp j = 0; j < m; j++) {
            _Float16 h;
            memcpy(&h, args[0] + (i + j) * steps[0], sizeof h);
            x[j] = (double)h;
        }
        if (valid(u, p, &validity)) {
            ptrdiff_t count = u->kernel->narrow(x, y, doubtful, m, p, &formats[1].format);
            for (ptrdiff_t c = 0; c < count; c++) hard[c] = x[doubtful[c]];
            if (count) settle(u, hard, count, p, "float16");
            for (ptrdiff_t c = 0; c < count; c++) y[doubtful[c]] = hard[c]; /* exact in float16 */
        } else {
            for (npy_intp j = 0; j < m; j++) y[j] = NAN;
        }
        for (npy_intp j = 0; j < m; j++) {
            _Float16 h = (_Float16)y[j]; /* one rounding, from the double */
            memcpy(args[out] + (i + j) * steps[out], &h, sizeof h);
        }
        i += m;
    }
    clear_flags();
}

static void loop_float64(char **args, const npy_intp *dimensions, const npy_intp *steps, void *data) {
    const struct ufunc_data *u = data;
    npy_intp n = dimensions[0], out = 1 + u->given;
    int copied = !direct(args, steps, out, sizeof(double));
    double x_copy[BLOCK_UFUNC], y_copy[BLOCK_UFUNC], hard[BLOCK_UFUNC], p[8];
    ptrdiff_t doubtful[BLOCK_UFUNC];
    struct validity validity = {{0}, 0, 0};
    for (npy_intp i = 0; i < n;) {
        npy_intp m = run_of(args, steps, i, n, u, p);
        const double *x = copied ? x_copy : (const double *)args[0] + i;
        double *y = copied ? y_copy : (double *)args[out] + i;
        for (npy_intp j = 0; copied && j < m; j++) x_copy[j] = *(const double *)(args[0] + (i + j) * steps[0]);
        if (!valid(u, p, &validity)) {
            for (npy_intp j = 0; j < m; j++) y[j] = NAN;
        } else if (u->wide != NULL) {
            ptrdiff_t count = u->wide->float64(x, y, doubtful, m, p, NULL);
            for (ptrdiff_t c = 0; c < count; c++) hard[c] = x[doubtful[c]];
            if (count) settle(u, hard, count, p, "float64");
            for (ptrdiff_t c = 0; c < count; c++) y[doubtful[c]] = hard[c];
        } else {
            memmove(y, x, (size_t)m * sizeof *y);
            settle(u, y, m, p, "float64");
        }
        for (npy_intp j = 0; copied && j < m; j++) *(double *)(args[out] + (i + j) * steps[out]) = y_copy[j];
        i += m;
    }
    clear_flags();
}

/* float16 and float32 inputs keep their type; any other real input is computed in float64, as
   actcli.get does (NumPy's own rule would take int8 to float16); parameters are float64. */
static int resolve(PyUFuncObject *ufunc, NPY_CASTING casting, PyArrayObject **operands, PyObject *type_tup,
                   PyArray_Descr **out_dtypes) {
    if (type_tup != NULL) return PyUFunc_DefaultTypeResolver(ufunc, casting, operands, type_tup, out_dtypes);
    int type = PyArray_DESCR(operands[0])->type_num;
    if (!(PyTypeNum_ISBOOL(type) || PyTypeNum_ISINTEGER(type) || PyTypeNum_ISFLOAT(type))) {
        PyErr_Format(PyExc_TypeError, "%s takes real numbers (float16, float32, float64 or integers), not %S",
                     ufunc->name, (PyObject *)PyArray_DESCR(operands[0]));
        return -1;
    }
    int chosen = type == NPY_HALF || type == NPY_FLOAT ? type : NPY_DOUBLE;
    for (int k = 0; k < ufunc->nin + ufunc->nout; k++) {
        out_dtypes[k] = PyArray_DescrFromType(k == 0 || k >= ufunc->nin ? chosen : NPY_DOUBLE);
        if (out_dtypes[k] == NULL) return -1;
    }
    return PyUFunc_ValidateCasting(ufunc, casting, operands, out_dtypes);
}

static PyUFuncGenericFunction loops[3] = {loop_float16, loop_float32, loop_float64};

static PyObject *make_ufunc(PyObject *self, PyObject *args) {
    (void)self;
    const char *name, *kernel_name, *doc;
    PyObject *fixed;
    int given;
    if (!PyArg_ParseTuple(args, "ssiO!s", &name, &kernel_name, &given, &PyTuple_Type, &fixed, &doc)) return NULL;
    const struct core_kernel *kernel = kernels;
    while (kernel->name != NULL && strcmp(kernel->name, kernel_name) != 0) kernel++;
    Py_ssize_t fixed_count = PyTuple_GET_SIZE(fixed);
    if (kernel->name == NULL || given < 0 || given + fixed_count > 4) {
        PyErr_Format(PyExc_ValueError, "no core kernel %s with %d parameters", kernel_name, given);
        return NULL;
    }
    /* Kept for the life of the process, as the ufunc's loops refer to them. */
    struct ufunc_data *u = PyMem_RawCalloc(1, sizeof *u);
    char *types = PyMem_RawMalloc(3 * (size_t)(given + 2));
    char *kept_name = PyMem_RawMalloc(strlen(name) + 1), *kept_doc = PyMem_RawMalloc(strlen(doc) + 1);
    void **data = PyMem_RawMalloc(3 * sizeof(void *));
    if (u == NULL || types == NULL || kept_name == NULL || kept_doc == NULL || data == NULL) return PyErr_NoMemory();
    strcpy(kept_name, name);
    strcpy(kept_doc, doc);
    u->kernel = kernel;
    u->wide = wide_kernel(kernel_name);
    u->given = given;
    u->fixed = (int)fixed_count;
    u->kernel_name = PyUnicode_FromString(kernel_name);
    for (Py_ssize_t k = 0; k < fixed_count; k++) u->fixed_values[k] = PyFloat_AsDouble(PyTuple_GET_ITEM(fixed, k));
    if (PyErr_Occurred() || u->kernel_name == NULL) return NULL;
    const char codes[3] = {NPY_HALF, NPY_FLOAT, NPY_DOUBLE};
    for (int t = 0; t < 3; t++) {
        data[t] = u;
        for (int k = 0; k < given + 2; k++) types[t * (given + 2) + k] = (k == 0 || k == given + 1) ? codes[t] : NPY_DOUBLE;
    }
    PyObject *ufunc = PyUFunc_FromFuncAndData(loops, data, types, 3, given + 1, 1, PyUFunc_None, kept_name,
                                              kept_doc, 0);
    if (ufunc != NULL) ((PyUFuncObject *)ufunc)->type_resolver = resolve;
    return ufunc;
}

static PyObject *settle_with(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *settle, *check;
    if (!PyArg_ParseTuple(args, "OO", &settle, &check)) return NULL;
    Py_INCREF(settle);
    Py_INCREF(check);
    Py_XSETREF(settler, settle);
    Py_XSETREF(checker, check);
    Py_RETURN_NONE;
}

static PyObject *read_decimal(PyObject *self, PyObject *arg) {
    (void)self;
    Py_buffer text;
    if (PyObject_GetBuffer(arg, &text, PyBUF_SIMPLE) < 0) return NULL;
    npy_intp room = text.len / 2 + 1, count;  /* a number and a separator at least */
    PyArrayObject *values = (PyArrayObject *)PyArray_SimpleNew(1, &room, NPY_DOUBLE);
    if (values == NULL) {
        PyBuffer_Release(&text);
        return NULL;
    }
    ptrdiff_t stop, lines;
    Py_BEGIN_ALLOW_THREADS
    stop = core_read_decimal(text.buf, text.len, PyArray_DATA(values), &count, &lines);
    Py_END_ALLOW_THREADS
    PyBuffer_Release(&text);
    PyArray_Dims shape = {&count, 1};
    PyObject *resized = PyArray_Resize(values, &shape, 0, NPY_CORDER);
    if (resized == NULL) {
        Py_DECREF(values);
        return NULL;
    }
    Py_DECREF(resized);
    return Py_BuildValue("(Nnn)", values, (Py_ssize_t)stop, (Py_ssize_t)lines);
}

static PyObject *write_decimal(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *given, *text = NULL;
    int separator;
    if (!PyArg_ParseTuple(args, "OC", &given, &separator)) return NULL;
    PyObject *columns = PySequence_Fast(given, "columns: a sequence of float64 arrays");
    if (columns == NULL) return NULL;
    Py_ssize_t width = PySequence_Fast_GET_SIZE(columns), rows = 0;
    PyArrayObject **arrays = PyMem_Calloc((size_t)width + 1, sizeof *arrays);
    const double **data = PyMem_Calloc((size_t)width + 1, sizeof *data);
    ptrdiff_t *strides = PyMem_Calloc((size_t)width + 1, sizeof *strides);
    if (arrays == NULL || data == NULL || strides == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t c = 0; c < width; c++) {
        PyObject *item = PySequence_Fast_GET_ITEM(columns, c);
        if (!PyArray_Check(item) || PyArray_TYPE((PyArrayObject *)item) != NPY_DOUBLE
            || PyArray_NDIM((PyArrayObject *)item) != 1) {
            PyErr_SetString(PyExc_TypeError, "columns: a sequence of 1-d float64 arrays");
            goto done;
        }
        arrays[c] = (PyArrayObject *)item;
        data[c] = PyArray_DATA(arrays[c]);
        strides[c] = PyArray_STRIDE(arrays[c], 0);
        if (c > 0 && PyArray_DIM(arrays[c], 0) != rows) {
            PyErr_SetString(PyExc_ValueError, "columns: of one length");
            goto done;
        }
        rows = PyArray_DIM(arrays[c], 0);
    }
    if (rows > (PY_SSIZE_T_MAX - 64) / 26 / (width + 1)) {
        PyErr_NoMemory();
        goto done;
    }
    text = PyBytes_FromStringAndSize(NULL, rows * (25 * width + 1) + 64);  /* 64: see write_double */
    if (text == NULL) goto done;
    ptrdiff_t length;
    Py_BEGIN_ALLOW_THREADS
    length = core_write_rows(data, strides, (int)width, rows, (char)separator, PyBytes_AS_STRING(text));
    Py_END_ALLOW_THREADS
    _PyBytes_Resize(&text, length);
done:
    PyMem_Free(arrays);
    PyMem_Free(data);
    PyMem_Free(strides);
    Py_DECREF(columns);
    return text;
}

static PyMethodDef methods[] = {
    {"narrow", narrow, METH_VARARGS, "narrow(name, x, out, doubtful, parameters, format) -> doubtful count"},
    {"read_decimal", read_decimal, METH_O,
     "read_decimal(text) -> (float64 values, where it stopped: the end or a line left to the caller, "
     "newlines before that)"},
    {"write_decimal", write_decimal, METH_VARARGS,
     "write_decimal(columns, separator) -> bytes: rows of the float64 columns as repr spells them"},
    {"kernels", list_kernels, METH_NOARGS, "[(name, bound in units of 2**-53)] in the table's order"},
    {"wide_parts", wide_parts, METH_VARARGS,
     "wide_parts(name, x, hi, lo, scale, parameters): the float64 kernel's unrounded pairs, for tests"},
    {"float32_audit", float32_audit, METH_VARARGS,
     "float32_audit(name, x, out, exact, doubtful, parameters) -> doubtful count: float32 x through the "
     "float64 kernel, its double rounded into out and kept in exact; doubtful where the rounding into "
     "float32 may be wrong, or the double test doubts a float32 value"},
    {"tally", tally, METH_VARARGS,
     "tally(x, y, correct, exact, emin, precision, wrong, errors, counts) -> wrong count: for the exhaustive "
     "audits, the wrong outputs' indices and ULP errors, and the counts (core.h), in one pass"},
    {"wide_kernels", list_wide_kernels, METH_NOARGS,
     "{name: relative error bound} of the float64 kernels (double-double, correctly rounded)"},
    {"ufunc", make_ufunc, METH_VARARGS, "ufunc(name, kernel, given, fixed, doc) -> np.ufunc"},
    {"settle_with", settle_with, METH_VARARGS,
     "settle_with(settle, check): the ufuncs' accurate path, and their parameters' validity"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "actcli._core", NULL, -1, methods};

PyMODINIT_FUNC PyInit__core(void) {
    import_array();
    import_umath();
    const char *instruction_set = "baseline";
#ifdef ACTCLI_HAVE_V3
    __builtin_cpu_init();
    const char *forced = getenv("ACTCLI_CORE_BASELINE"); /* tests compare the two builds */
    if ((forced == NULL || *forced == '\0') && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        kernels = core_kernels_v3;
        wide_kernels = core_wide_kernels_v3;
        instruction_set = "x86-64-v3";
    }
#endif
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddStringConstant(m, "instruction_set", instruction_set) < 0) Py_CLEAR(m);
    return m;
}
