#ifndef CLINUX_SHIM_H
#define CLINUX_SHIM_H
/// Linux interfaces the platform module does not export: inotify, with which the SQLite change watcher learns that
/// another process wrote to the database's write-ahead log.
#include <sys/inotify.h>
#endif
