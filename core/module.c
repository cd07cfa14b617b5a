/* actcli._core: the Python face of the compiled core (see narrow.c).

    narrow(name, x, out, doubtful, parameters, format) -> number of doubtful values

float32: x and out are float32, out correctly rounded but at the doubtful; other formats: x
holds the format's values as float64, out gets the unrounded doubles. doubtful (intp, as long as
x) gets the indices the rounding test could not decide, first. The GIL is released meanwhile,
so CSV chunks run in parallel. kernels() lists (name, bound) in the table's order.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static const struct core_kernel *kernels = core_kernels_baseline;

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
    Py_ssize_t width = single ? (Py_ssize_t)sizeof(float) : (Py_ssize_t)sizeof(double);
    Py_ssize_t n = x.len / width, count = PyTuple_GET_SIZE(parameters), undecided = 0;
    double values[4] = {0};
    if (kernel->name == NULL || format == NULL) {
        PyErr_Format(PyExc_LookupError, "the core has no kernel %s in %s", name, format_name);
        goto done;
    }
    if (x.len % width != 0 || out.len != x.len || doubtful.len < n * (Py_ssize_t)sizeof(ptrdiff_t) || count > 4) {
        PyErr_SetString(PyExc_ValueError, "x and out must hold as many values of the format's width, "
                                          "doubtful as many indices (intp)");
        goto done;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        values[i] = PyFloat_AsDouble(PyTuple_GET_ITEM(parameters, i));
        if (values[i] == -1.0 && PyErr_Occurred()) goto done;
    }
    Py_BEGIN_ALLOW_THREADS
    if (single)
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

static PyMethodDef methods[] = {
    {"narrow", narrow, METH_VARARGS, "narrow(name, x, out, doubtful, parameters, format) -> doubtful count"},
    {"kernels", list_kernels, METH_NOARGS, "[(name, bound in units of 2**-53)] in the table's order"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "actcli._core", NULL, -1, methods};

PyMODINIT_FUNC PyInit__core(void) {
    const char *instruction_set = "baseline";
#ifdef ACTCLI_HAVE_V3
    __builtin_cpu_init();
    const char *forced = getenv("ACTCLI_CORE_BASELINE"); /* tests compare the two builds */
    if ((forced == NULL || *forced == '\0') && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        kernels = core_kernels_v3;
        instruction_set = "x86-64-v3";
    }
#endif
    PyObject *m = PyModule_Create(&module);
    if (m != NULL && PyModule_AddStringConstant(m, "instruction_set", instruction_set) < 0) Py_CLEAR(m);
    return m;
}
