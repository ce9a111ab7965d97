#ifndef CYI_XML2_SHIM_H
#define CYI_XML2_SHIM_H
#include <libxml/xmlreader.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlmemory.h>

/* xmlFree is a global function pointer: Swift cannot call it directly as a C function. */
static inline void cyi_xml_free(void *ptr) { xmlFree(ptr); }
#endif
