/*
 * cpuiddefect.c - LD_PRELOAD library that makes a healthy x86-64 Linux machine look like a VM whose
 * CPUID cache-descriptor leaves are broken, so that Xbyak (inside oneDNN, inside libtorch) computes
 * 1-byte L1/L2/L3 cache sizes.  With libtorch 2.10 / oneDNN 3.7.1 that reproduces the conv weight
 * reorder corruption seen on some AMD EPYC VMs (0x8000001D all zeros, TOPOEXT clear).
 *
 * How it works
 *   1. The constructor turns on CPUID faulting for the thread (arch_prctl(ARCH_SET_CPUID, 0); needs
 *      the "cpuid_fault" CPU flag).  The setting is inherited by every thread/process created later
 *      (clone/fork) and reset by execve, where the preload's constructor sets it again.
 *   2. Every CPUID instruction then raises SIGSEGV (si_code SI_KERNEL, RIP at the 0F A2 opcode).
 *      Our SIGSEGV handler re-enables CPUID for this thread, executes the real CPUID with the
 *      faulting thread's EAX/ECX, disables it again, edits the result (see fake_cpuid), writes
 *      EAX/EBX/ECX/EDX into the signal context and advances RIP by 2.
 *   3. Programs (the .NET runtime in particular) install their own SIGSEGV handler later.  This
 *      library interposes sigaction()/signal()/bsd_signal(): for SIGSEGV it only *records* what the
 *      program asked for, reports it back as the current action, and keeps its own handler
 *      installed (with the program's sa_mask and sa_flags, so the program's handler runs in the same
 *      signal state as it would without us).  Any SIGSEGV that is not a CPUID instruction is passed
 *      on to the recorded handler unchanged (siginfo and ucontext are the kernel's).
 *   4. SIGSEGV is never blocked (SA_NODEFER, and sigprocmask()/pthread_sigmask() are interposed to
 *      drop it): the .NET runtime executes CPUID inside its own SIGSEGV handler, and a CPUID fault
 *      while SIGSEGV is blocked makes the kernel reset the action to SIG_DFL and kill the process.
 *
 * What is faked (CPUID_DEFECT_MODE, default "auto")
 *   auto   on a GenuineIntel CPU: leaf 4 (deterministic cache parameters) keeps EAX (cache type,
 *          level, sharing) but reports EBX = ECX = 0, i.e. 1 way x 1 partition x 1-byte lines x
 *          1 set = 1 byte per cache; Xbyak's Intel path then reports 1-byte L1/L2/L3.
 *          On an AuthenticAMD CPU: leaf 0x8000001D reads all zeros and the TOPOEXT bit
 *          (0x80000001 ECX bit 22) is cleared -- exactly the defective VMs' state; Xbyak's AMD path
 *          computes (0+1)*(0+1)*(0+1)*(0+1) = 1 byte for L1/L2/L3.
 *   amd    additionally report vendor "AuthenticAMD" in leaf 0, then fake the AMD state above (on an
 *          Intel host this runs Xbyak's AMD code path, as on the EPYC VMs).  Family/model and all
 *          feature bits stay the host's.
 *   off    trap and emulate CPUID but return the real values (to check the emulation is harmless).
 * Other environment variables
 *   CPUID_DEFECT_LOG=1   log every modified CPUID result and a trap count at exit to stderr.
 *
 * Build: gcc -O2 -shared -fPIC -o libcpuiddefect.so cpuiddefect.c -ldl
 * Use:   LD_PRELOAD=/path/libcpuiddefect.so dotnet app.dll
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#ifndef __x86_64__
#error "cpuiddefect is x86-64 only"
#endif
#ifndef ARCH_SET_CPUID
#define ARCH_SET_CPUID 0x1012
#endif

enum { MODE_OFF, MODE_AUTO, MODE_AMD };

static int g_active;   /* faulting enabled and our handler installed */
static int g_mode = MODE_AUTO;
static int g_log;
static int g_host_amd; /* real vendor is AuthenticAMD */
static volatile long g_traps;

/* The SIGSEGV action the program believes is installed. */
static struct sigaction g_app_segv;
static int (*g_real_sigaction)(int, const struct sigaction *, struct sigaction *);

/* ---------- small async-signal-safe helpers ---------- */

static long raw_syscall2(long nr, long a1, long a2)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr), "D"(a1), "S"(a2) : "rcx", "r11", "memory");
    return ret;
}

static void set_cpuid_enabled(int enabled)
{
    raw_syscall2(SYS_arch_prctl, ARCH_SET_CPUID, enabled);
}

static void raw_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    __asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

static void log_write(const char *s, size_t n)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(SYS_write), "D"(2), "S"(s), "d"(n) : "rcx", "r11", "memory");
    (void)ret;
}

static char *put_str(char *p, const char *s) { while (*s) *p++ = *s++; return p; }

static char *put_hex(char *p, uint64_t v)
{
    char tmp[16];
    int n = 0;
    do { tmp[n++] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
    p = put_str(p, "0x");
    while (n) *p++ = tmp[--n];
    return p;
}

static char *put_dec(char *p, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
    while (n) *p++ = tmp[--n];
    return p;
}

static void log_change(uint32_t leaf, uint32_t sub, const uint32_t real[4], const uint32_t fake[4])
{
    char buf[256], *p = buf;
    p = put_str(p, "cpuiddefect: cpuid(");
    p = put_hex(p, leaf); p = put_str(p, ","); p = put_hex(p, sub);
    p = put_str(p, ") real");
    for (int i = 0; i < 4; i++) { p = put_str(p, " "); p = put_hex(p, real[i]); }
    p = put_str(p, " -> fake");
    for (int i = 0; i < 4; i++) { p = put_str(p, " "); p = put_hex(p, fake[i]); }
    p = put_str(p, "\n");
    log_write(buf, (size_t)(p - buf));
}

/* ---------- the fake ---------- */

#define SIG_AMD_EBX 0x68747541u /* "Auth" */
#define SIG_AMD_EDX 0x69746e65u /* "enti" */
#define SIG_AMD_ECX 0x444d4163u /* "cAMD" */

static void fake_cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
    set_cpuid_enabled(1);
    raw_cpuid(leaf, sub, r);
    set_cpuid_enabled(0);

    if (g_mode == MODE_OFF) return;

    uint32_t real[4] = { r[0], r[1], r[2], r[3] };
    int fake_amd = g_host_amd || g_mode == MODE_AMD;
    int faked = 1; /* a leaf this tool controls (logged even when the value happens to be unchanged) */

    if (leaf == 0 && g_mode == MODE_AMD && !g_host_amd) {
        r[1] = SIG_AMD_EBX; r[3] = SIG_AMD_EDX; r[2] = SIG_AMD_ECX;
    } else if (leaf == 4 && !fake_amd) {
        /* Intel deterministic cache parameters: keep type/level/sharing (EAX), zero the geometry. */
        if ((r[0] & 0x1f) != 0) { r[1] = 0; r[2] = 0; }
    } else if (leaf == 0x8000001D && fake_amd) {
        /* AMD cache topology: all zeros, as on the defective VMs. */
        r[0] = r[1] = r[2] = r[3] = 0;
    } else if (leaf == 0x80000001 && fake_amd) {
        r[2] &= ~(1u << 22); /* TOPOEXT */
    } else {
        faked = 0;
    }

    if (g_log && faked) log_change(leaf, sub, real, r);
}

/* ---------- SIGSEGV handling ---------- */

static void chain_to_app(int sig, siginfo_t *si, void *uc)
{
    struct sigaction a = g_app_segv;
    if (a.sa_flags & SA_RESETHAND) {
        g_app_segv.sa_handler = SIG_DFL;
        g_app_segv.sa_flags &= ~SA_SIGINFO;
    }
    if (a.sa_flags & SA_SIGINFO) {
        a.sa_sigaction(sig, si, uc);
        return;
    }
    if (a.sa_handler == SIG_DFL || a.sa_handler == SIG_IGN) {
        /* Default action.  A real fault re-executes the instruction after we return and now meets
         * SIG_DFL (the kernel also ignores SIG_IGN for forced faults).  A sent signal is re-raised;
         * it stays blocked until this handler returns. */
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        g_real_sigaction(sig, &dfl, NULL);
        if (si->si_code <= 0) raise(sig);
        return;
    }
    a.sa_handler(sig);
}

static void segv_handler(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = (ucontext_t *)ucv;
    greg_t *g = uc->uc_mcontext.gregs;

    /* A CPUID fault is a #GP: SIGSEGV with si_code SI_KERNEL.  RIP then points at an instruction
     * that was fetched successfully, so reading two bytes there is safe. */
    if (si->si_code == SI_KERNEL && g[REG_RIP] != 0) {
        const unsigned char *ip = (const unsigned char *)g[REG_RIP];
        if (ip[0] == 0x0f && ip[1] == 0xa2) {
            int saved_errno = errno;
            uint32_t r[4];
            fake_cpuid((uint32_t)g[REG_RAX], (uint32_t)g[REG_RCX], r);
            /* CPUID zero-extends its 32-bit results into the 64-bit registers. */
            g[REG_RAX] = r[0]; g[REG_RBX] = r[1]; g[REG_RCX] = r[2]; g[REG_RDX] = r[3];
            g[REG_RIP] += 2;
            __atomic_add_fetch(&g_traps, 1, __ATOMIC_RELAXED);
            errno = saved_errno;
            return;
        }
    }
    chain_to_app(sig, si, ucv);
}

static int install_segv(const struct sigaction *app)
{
    struct sigaction ours = *app; /* the program's sa_mask and flags (SA_ONSTACK, SA_NODEFER, ...) */
    ours.sa_sigaction = segv_handler;
    ours.sa_flags |= SA_SIGINFO;
    ours.sa_flags &= ~SA_RESETHAND; /* emulated in chain_to_app */
    /* SIGSEGV must never be blocked: a CPUID executed while it is blocked (the .NET runtime does so
     * inside its own SIGSEGV handler) makes the kernel reset the action to SIG_DFL and kill us. */
    ours.sa_flags |= SA_NODEFER;
    sigdelset(&ours.sa_mask, SIGSEGV);
    return g_real_sigaction(SIGSEGV, &ours, NULL);
}

static void resolve_real(void)
{
    if (!g_real_sigaction)
        g_real_sigaction = (int (*)(int, const struct sigaction *, struct sigaction *))dlsym(RTLD_NEXT, "sigaction");
}

/* ---------- interposed libc functions ---------- */

int sigaction(int sig, const struct sigaction *act, struct sigaction *old)
{
    resolve_real();
    if (sig != SIGSEGV || !g_active) return g_real_sigaction(sig, act, old);
    struct sigaction prev = g_app_segv;
    if (act) {
        if (install_segv(act) != 0) return -1;
        g_app_segv = *act;
    }
    if (old) *old = prev;
    return 0;
}

/* Keep SIGSEGV deliverable (see install_segv): drop it from every set a program blocks. */
static const sigset_t *without_segv(int how, const sigset_t *set, sigset_t *copy)
{
    if (!g_active || !set || how == SIG_UNBLOCK || !sigismember(set, SIGSEGV)) return set;
    *copy = *set;
    sigdelset(copy, SIGSEGV);
    return copy;
}

int pthread_sigmask(int how, const sigset_t *set, sigset_t *old)
{
    static int (*real)(int, const sigset_t *, sigset_t *);
    if (!real) real = (int (*)(int, const sigset_t *, sigset_t *))dlsym(RTLD_NEXT, "pthread_sigmask");
    sigset_t copy;
    return real(how, without_segv(how, set, &copy), old);
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old)
{
    static int (*real)(int, const sigset_t *, sigset_t *);
    if (!real) real = (int (*)(int, const sigset_t *, sigset_t *))dlsym(RTLD_NEXT, "sigprocmask");
    sigset_t copy;
    return real(how, without_segv(how, set, &copy), old);
}

static sighandler_t set_handler(int sig, sighandler_t h, int flags)
{
    struct sigaction act, old;
    memset(&act, 0, sizeof act);
    act.sa_handler = h;
    act.sa_flags = flags;
    sigemptyset(&act.sa_mask);
    if (flags == SA_RESTART) sigaddset(&act.sa_mask, sig); /* BSD semantics, as glibc's signal() */
    if (sigaction(sig, &act, &old) != 0) return SIG_ERR;
    return old.sa_handler;
}

sighandler_t signal(int sig, sighandler_t h) { return set_handler(sig, h, SA_RESTART); }
sighandler_t bsd_signal(int sig, sighandler_t h) { return set_handler(sig, h, SA_RESTART); }
sighandler_t sysv_signal(int sig, sighandler_t h) { return set_handler(sig, h, SA_RESETHAND | SA_NODEFER); }
sighandler_t __sysv_signal(int sig, sighandler_t h) { return set_handler(sig, h, SA_RESETHAND | SA_NODEFER); }

/* ---------- setup ---------- */

__attribute__((constructor)) static void cpuiddefect_init(void)
{
    resolve_real();
    const char *m = getenv("CPUID_DEFECT_MODE");
    if (m && strcmp(m, "off") == 0) g_mode = MODE_OFF;
    else if (m && strcmp(m, "amd") == 0) g_mode = MODE_AMD;
    else if (m && *m && strcmp(m, "auto") != 0) {
        static const char msg[] = "cpuiddefect: unknown CPUID_DEFECT_MODE (auto|amd|off); using auto\n";
        log_write(msg, sizeof msg - 1);
    }
    const char *l = getenv("CPUID_DEFECT_LOG");
    g_log = l && *l && strcmp(l, "0") != 0;

    uint32_t r[4];
    raw_cpuid(0, 0, r);
    g_host_amd = r[1] == SIG_AMD_EBX && r[3] == SIG_AMD_EDX && r[2] == SIG_AMD_ECX;

    /* Record the current SIGSEGV action (normally SIG_DFL), then install ours. */
    if (g_real_sigaction(SIGSEGV, NULL, &g_app_segv) != 0 || install_segv(&g_app_segv) != 0) {
        static const char msg[] = "cpuiddefect: cannot install SIGSEGV handler; inactive\n";
        log_write(msg, sizeof msg - 1);
        return;
    }
    if (raw_syscall2(SYS_arch_prctl, ARCH_SET_CPUID, 0) != 0) {
        static const char msg[] = "cpuiddefect: arch_prctl(ARCH_SET_CPUID, 0) failed (no cpuid_fault?); inactive\n";
        log_write(msg, sizeof msg - 1);
        g_real_sigaction(SIGSEGV, &g_app_segv, NULL);
        return;
    }
    g_active = 1;
    if (g_log) {
        char buf[160], *p = buf;
        p = put_str(p, "cpuiddefect: CPUID faulting on in pid ");
        p = put_dec(p, (uint64_t)getpid());
        p = put_str(p, g_mode == MODE_OFF ? ", mode off" : g_mode == MODE_AMD ? ", mode amd" : ", mode auto");
        p = put_str(p, g_host_amd ? " (host AMD)\n" : " (host Intel)\n");
        log_write(buf, (size_t)(p - buf));
    }
}

__attribute__((destructor)) static void cpuiddefect_fini(void)
{
    if (!g_log || !g_active) return;
    char buf[96], *p = buf;
    p = put_str(p, "cpuiddefect: ");
    p = put_dec(p, (uint64_t)g_traps);
    p = put_str(p, " CPUID instructions emulated in pid ");
    p = put_dec(p, (uint64_t)getpid());
    p = put_str(p, "\n");
    log_write(buf, (size_t)(p - buf));
}
