#ifndef CYI_XML2_SHIM_H
#define CYI_XML2_SHIM_H
#include <libxml/xmlversion.h>
/* libxml2 built with ICU includes the system's <unicode/...> headers, which clash with the ICU copy that
 * Foundation's modules carry. We use no ICU-dependent libxml2 struct fields, so hide them. */
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/SAX2.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>
#include <string.h>

/* xmlFree is a global function pointer: Swift cannot call it directly as a C function. */
static inline void cyi_xml_free(void *ptr) { xmlFree(ptr); }

/* The first fatal error (a well-formedness error: the parse stops) a parser reports, kept for a
 * YiError, so nothing is printed to stderr; warnings and recoverable errors are only counted.
 * Lives at a fixed address owned by the Swift parser. */
typedef struct {
    int fatal;
    int errors;
    int warnings;
    int code;
    int line;
    int column;
    char message[512];
} cyi_xml_error_sink;

/* libxml2 2.12 made the error argument const; the C compiler accepts either here. */
#if LIBXML_VERSION >= 21200
static void cyi_xml_collect_error(void *context, const xmlError *error) {
#else
static void cyi_xml_collect_error(void *context, xmlErrorPtr error) {
#endif
    cyi_xml_error_sink *sink = (cyi_xml_error_sink *)context;
    if (sink == NULL || error == NULL) return;
    if (error->level == XML_ERR_WARNING) { sink->warnings++; return; }
    if (error->level == XML_ERR_ERROR) { sink->errors++; return; }
    if (sink->fatal++ > 0) return;
    sink->code = error->code;
    sink->line = error->line;
    sink->column = error->int2;
    if (error->message != NULL) {
        strncpy(sink->message, error->message, sizeof(sink->message) - 1);
        sink->message[sizeof(sink->message) - 1] = 0;
    } else {
        sink->message[0] = 0;
    }
}

/* The user data of a SAX parse: the error sink first (the error handler receives this struct),
 * then the Swift object that handles the events. */
typedef struct {
    cyi_xml_error_sink errors;
    void *owner;
} cyi_xml_sax_context;

static inline void cyi_xml_sax_collect_errors(xmlSAXHandler *sax) {
    sax->serror = cyi_xml_collect_error;
}
#endif
