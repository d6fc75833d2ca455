/*
 * The C anchor for scripts/bench: the least a libfcgi responder can do for a referral link, so the
 * project's redirect is measured against plain C through the same nginx.
 *
 *     c-responder SOCKET THREADS none            answer the 302 with its cookie, store nothing
 *     c-responder SOCKET THREADS sqlite DB       first INSERT one click row (SQLite WAL,
 *                                                synchronous=NORMAL, one connection under a mutex),
 *                                                committed before the 302, as the project does
 *
 * Threads accept like the project's workers (FCGX_Accept_r on one listening socket). Not a product
 * file: no input is checked beyond what the row needs.
 */
#include <fcgiapp.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static int listen_fd;
static sqlite3 *db;
static sqlite3_stmt *insert;
static pthread_mutex_t db_lock = PTHREAD_MUTEX_INITIALIZER;

static const char reply[] =
    "Status: 302 Found\r\n"
    "Location: http://127.0.0.1/?ref=BENCH\r\n"
    "Set-Cookie: referral_code=BENCH; Max-Age=7776000; Path=/; HttpOnly; Secure; SameSite=Lax\r\n"
    "Cache-Control: no-store\r\n"
    "Content-Length: 0\r\n\r\n";

static int store_click(FCGX_ParamArray env) {
    const char *ip = FCGX_GetParam("REMOTE_ADDR", env);
    const char *path = FCGX_GetParam("REQUEST_URI", env);
    int ok;
    pthread_mutex_lock(&db_lock);
    sqlite3_bind_text(insert, 1, ip ? ip : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(insert, 2, path ? path : "", -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(insert, 3, (sqlite3_int64)time(NULL));
    ok = sqlite3_step(insert) == SQLITE_DONE;
    sqlite3_reset(insert);
    pthread_mutex_unlock(&db_lock);
    return ok;
}

static void *serve(void *unused) {
    FCGX_Request request;
    (void)unused;
    FCGX_InitRequest(&request, listen_fd, 0);
    while (FCGX_Accept_r(&request) == 0) {
        if (db && !store_click(request.envp)) {
            FCGX_PutS("Status: 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n", request.out);
        } else {
            FCGX_PutStr(reply, sizeof reply - 1, request.out);
        }
        FCGX_Finish_r(&request);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 4 || (strcmp(argv[3], "sqlite") == 0 && argc < 5)) {
        fprintf(stderr, "usage: %s SOCKET THREADS none|sqlite DB\n", argv[0]);
        return 64;
    }
    int threads = atoi(argv[2]);
    if (threads < 1 || threads > 64) threads = 4;
    if (strcmp(argv[3], "sqlite") == 0) {
        if (sqlite3_open(argv[4], &db) != SQLITE_OK ||
            sqlite3_exec(db,
                         "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                         "CREATE TABLE IF NOT EXISTS clicks (id INTEGER PRIMARY KEY, ip TEXT NOT NULL,"
                         " path TEXT NOT NULL, created_at INTEGER NOT NULL);",
                         NULL, NULL, NULL) != SQLITE_OK ||
            sqlite3_prepare_v2(db, "INSERT INTO clicks (ip, path, created_at) VALUES (?, ?, ?)", -1, &insert,
                               NULL) != SQLITE_OK) {
            fprintf(stderr, "sqlite: %s\n", db ? sqlite3_errmsg(db) : "cannot open");
            return 1;
        }
    }
    FCGX_Init();
    listen_fd = FCGX_OpenSocket(argv[1], 1024);
    if (listen_fd < 0) {
        fprintf(stderr, "cannot listen on %s\n", argv[1]);
        return 1;
    }
    chmod(argv[1], 0666);
    pthread_t ids[64];
    for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, serve, NULL);
    for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
    return 0;
}
