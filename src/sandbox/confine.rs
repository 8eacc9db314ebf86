//! Confining a worker before any submission code runs: resource limits, no privileges, and (on
//! Linux) a seccomp-bpf allowlist of system calls. Together with the fork-per-submission design
//! this is the security boundary; the VM itself is not one.
//!
//! Call it after the watchdog thread exists (the filter is applied to every thread, and no thread
//! can be created afterwards) and before compiling the submission.

use std::io;

/// The worker's own limits for a job. Memory is enforced by the allocator; these are backstops.
pub(crate) struct Confinement {
    /// CPU seconds for the whole job: the sum of its tests' limits plus slack.
    pub(crate) cpu_seconds: u64,
    /// Address-space bytes: heap limit plus stack plus the interpreter's own mappings.
    pub(crate) address_space: u64,
}

/// An unprivileged identity for workers started by root.
const NOBODY: libc::uid_t = 65_534;

pub(crate) fn confine(limits: &Confinement) -> io::Result<()> {
    set_limit(libc::RLIMIT_CORE, 0)?;
    set_limit(libc::RLIMIT_FSIZE, 0)?;
    set_limit(libc::RLIMIT_NOFILE, 8)?;
    set_limit(libc::RLIMIT_CPU, limits.cpu_seconds)?;
    set_limit(libc::RLIMIT_AS, limits.address_space)?;
    drop_privileges()?;
    set_limit(libc::RLIMIT_NPROC, 0)?;
    // SAFETY: prctl with constant arguments changes only this process's own settings.
    unsafe {
        // Changing credentials clears the parent-death signal, so it is set here, after.
        if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0
            || libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    #[cfg(target_os = "linux")]
    seccomp::install()?;
    Ok(())
}

fn set_limit(resource: libc::__rlimit_resource_t, value: u64) -> io::Result<()> {
    let limit = libc::rlimit {
        rlim_cur: value,
        rlim_max: value,
    };
    // SAFETY: `limit` is a valid rlimit.
    if unsafe { libc::setrlimit(resource, &raw const limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// When running as root, become `nobody` with no supplementary groups and no capabilities.
fn drop_privileges() -> io::Result<()> {
    // SAFETY: these calls only change this process's credentials; each result is checked.
    unsafe {
        if libc::geteuid() != 0 {
            return Ok(());
        }
        if libc::setgroups(0, std::ptr::null()) != 0
            || libc::setresgid(NOBODY, NOBODY, NOBODY) != 0
            || libc::setresuid(NOBODY, NOBODY, NOBODY) != 0
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(target_os = "linux")]
mod seccomp {
    use std::collections::BTreeMap;
    use std::io;

    use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, TargetArch};

    /// What a running worker needs: the result pipe, memory, time, futexes for the watchdog's
    /// mutex and channel, signal plumbing for panics and aborts, and exiting. Everything else
    /// (files, sockets, processes, threads, ptrace, ...) fails with `EPERM`, which RustPython
    /// turns into a Python exception instead of a crash.
    const ALLOWED: &[libc::c_long] = &[
        libc::SYS_read,
        libc::SYS_write,
        libc::SYS_close,
        libc::SYS_mmap,
        libc::SYS_munmap,
        libc::SYS_mremap,
        libc::SYS_mprotect,
        libc::SYS_madvise,
        libc::SYS_brk,
        libc::SYS_futex,
        libc::SYS_sched_yield,
        libc::SYS_clock_gettime,
        libc::SYS_clock_getres,
        libc::SYS_clock_nanosleep,
        libc::SYS_nanosleep,
        libc::SYS_gettimeofday,
        libc::SYS_getrandom,
        libc::SYS_rt_sigreturn,
        libc::SYS_rt_sigaction,
        libc::SYS_rt_sigprocmask,
        libc::SYS_sigaltstack,
        libc::SYS_getpid,
        libc::SYS_gettid,
        libc::SYS_tgkill,
        libc::SYS_exit,
        libc::SYS_exit_group,
    ];

    pub(super) fn install() -> io::Result<()> {
        let arch = TargetArch::try_from(std::env::consts::ARCH)
            .map_err(|e| io::Error::other(format!("{e:?}")))?;
        let rules: BTreeMap<i64, Vec<seccompiler::SeccompRule>> =
            ALLOWED.iter().map(|&call| (call, Vec::new())).collect();
        let errno = u32::try_from(libc::EPERM).unwrap_or(1);
        let filter = SeccompFilter::new(
            rules,
            SeccompAction::Errno(errno),
            SeccompAction::Allow,
            arch,
        )
        .map_err(|e| io::Error::other(format!("{e:?}")))?;
        let program: BpfProgram = filter
            .try_into()
            .map_err(|e| io::Error::other(format!("{e:?}")))?;
        seccompiler::apply_filter_all_threads(&program)
            .map_err(|e| io::Error::other(format!("{e:?}")))
    }
}
