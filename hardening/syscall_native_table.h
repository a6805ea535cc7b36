/* SPDX-License-Identifier: MIT */
/*
 * Every system call name systemd 252 knows (the @known group and its ungrouped list of
 * `systemd-analyze syscall-filter`), each kept only when the kernel headers define its
 * __NR_ number for the architecture being compiled. Sorted by strcmp() order for bsearch().
 * Generated once from that output; regenerate when a systemd release adds names.
 */
#pragma once

#include <sys/syscall.h>

static const char *const syscall_native_names[] = {
#ifdef __NR__llseek
        "_llseek",
#endif
#ifdef __NR__newselect
        "_newselect",
#endif
#ifdef __NR__sysctl
        "_sysctl",
#endif
#ifdef __NR_accept
        "accept",
#endif
#ifdef __NR_accept4
        "accept4",
#endif
#ifdef __NR_access
        "access",
#endif
#ifdef __NR_acct
        "acct",
#endif
#ifdef __NR_add_key
        "add_key",
#endif
#ifdef __NR_adjtimex
        "adjtimex",
#endif
#ifdef __NR_afs_syscall
        "afs_syscall",
#endif
#ifdef __NR_alarm
        "alarm",
#endif
#ifdef __NR_arc_gettls
        "arc_gettls",
#endif
#ifdef __NR_arc_settls
        "arc_settls",
#endif
#ifdef __NR_arc_usr_cmpxchg
        "arc_usr_cmpxchg",
#endif
#ifdef __NR_arch_prctl
        "arch_prctl",
#endif
#ifdef __NR_arm_fadvise64_64
        "arm_fadvise64_64",
#endif
#ifdef __NR_atomic_barrier
        "atomic_barrier",
#endif
#ifdef __NR_atomic_cmpxchg_32
        "atomic_cmpxchg_32",
#endif
#ifdef __NR_bdflush
        "bdflush",
#endif
#ifdef __NR_bind
        "bind",
#endif
#ifdef __NR_bpf
        "bpf",
#endif
#ifdef __NR_break
        "break",
#endif
#ifdef __NR_brk
        "brk",
#endif
#ifdef __NR_cachectl
        "cachectl",
#endif
#ifdef __NR_cacheflush
        "cacheflush",
#endif
#ifdef __NR_capget
        "capget",
#endif
#ifdef __NR_capset
        "capset",
#endif
#ifdef __NR_chdir
        "chdir",
#endif
#ifdef __NR_chmod
        "chmod",
#endif
#ifdef __NR_chown
        "chown",
#endif
#ifdef __NR_chown32
        "chown32",
#endif
#ifdef __NR_chroot
        "chroot",
#endif
#ifdef __NR_clock_adjtime
        "clock_adjtime",
#endif
#ifdef __NR_clock_adjtime64
        "clock_adjtime64",
#endif
#ifdef __NR_clock_getres
        "clock_getres",
#endif
#ifdef __NR_clock_getres_time64
        "clock_getres_time64",
#endif
#ifdef __NR_clock_gettime
        "clock_gettime",
#endif
#ifdef __NR_clock_gettime64
        "clock_gettime64",
#endif
#ifdef __NR_clock_nanosleep
        "clock_nanosleep",
#endif
#ifdef __NR_clock_nanosleep_time64
        "clock_nanosleep_time64",
#endif
#ifdef __NR_clock_settime
        "clock_settime",
#endif
#ifdef __NR_clock_settime64
        "clock_settime64",
#endif
#ifdef __NR_clone
        "clone",
#endif
#ifdef __NR_clone3
        "clone3",
#endif
#ifdef __NR_close
        "close",
#endif
#ifdef __NR_close_range
        "close_range",
#endif
#ifdef __NR_connect
        "connect",
#endif
#ifdef __NR_copy_file_range
        "copy_file_range",
#endif
#ifdef __NR_creat
        "creat",
#endif
#ifdef __NR_create_module
        "create_module",
#endif
#ifdef __NR_delete_module
        "delete_module",
#endif
#ifdef __NR_dipc
        "dipc",
#endif
#ifdef __NR_dup
        "dup",
#endif
#ifdef __NR_dup2
        "dup2",
#endif
#ifdef __NR_dup3
        "dup3",
#endif
#ifdef __NR_epoll_create
        "epoll_create",
#endif
#ifdef __NR_epoll_create1
        "epoll_create1",
#endif
#ifdef __NR_epoll_ctl
        "epoll_ctl",
#endif
#ifdef __NR_epoll_ctl_old
        "epoll_ctl_old",
#endif
#ifdef __NR_epoll_pwait
        "epoll_pwait",
#endif
#ifdef __NR_epoll_pwait2
        "epoll_pwait2",
#endif
#ifdef __NR_epoll_wait
        "epoll_wait",
#endif
#ifdef __NR_epoll_wait_old
        "epoll_wait_old",
#endif
#ifdef __NR_eventfd
        "eventfd",
#endif
#ifdef __NR_eventfd2
        "eventfd2",
#endif
#ifdef __NR_exec_with_loader
        "exec_with_loader",
#endif
#ifdef __NR_execv
        "execv",
#endif
#ifdef __NR_execve
        "execve",
#endif
#ifdef __NR_execveat
        "execveat",
#endif
#ifdef __NR_exit
        "exit",
#endif
#ifdef __NR_exit_group
        "exit_group",
#endif
#ifdef __NR_faccessat
        "faccessat",
#endif
#ifdef __NR_faccessat2
        "faccessat2",
#endif
#ifdef __NR_fadvise64
        "fadvise64",
#endif
#ifdef __NR_fadvise64_64
        "fadvise64_64",
#endif
#ifdef __NR_fallocate
        "fallocate",
#endif
#ifdef __NR_fanotify_init
        "fanotify_init",
#endif
#ifdef __NR_fanotify_mark
        "fanotify_mark",
#endif
#ifdef __NR_fchdir
        "fchdir",
#endif
#ifdef __NR_fchmod
        "fchmod",
#endif
#ifdef __NR_fchmodat
        "fchmodat",
#endif
#ifdef __NR_fchmodat2
        "fchmodat2",
#endif
#ifdef __NR_fchown
        "fchown",
#endif
#ifdef __NR_fchown32
        "fchown32",
#endif
#ifdef __NR_fchownat
        "fchownat",
#endif
#ifdef __NR_fcntl
        "fcntl",
#endif
#ifdef __NR_fcntl64
        "fcntl64",
#endif
#ifdef __NR_fdatasync
        "fdatasync",
#endif
#ifdef __NR_fgetxattr
        "fgetxattr",
#endif
#ifdef __NR_finit_module
        "finit_module",
#endif
#ifdef __NR_flistxattr
        "flistxattr",
#endif
#ifdef __NR_flock
        "flock",
#endif
#ifdef __NR_fork
        "fork",
#endif
#ifdef __NR_fremovexattr
        "fremovexattr",
#endif
#ifdef __NR_fsconfig
        "fsconfig",
#endif
#ifdef __NR_fsetxattr
        "fsetxattr",
#endif
#ifdef __NR_fsmount
        "fsmount",
#endif
#ifdef __NR_fsopen
        "fsopen",
#endif
#ifdef __NR_fspick
        "fspick",
#endif
#ifdef __NR_fstat
        "fstat",
#endif
#ifdef __NR_fstat64
        "fstat64",
#endif
#ifdef __NR_fstatat64
        "fstatat64",
#endif
#ifdef __NR_fstatfs
        "fstatfs",
#endif
#ifdef __NR_fstatfs64
        "fstatfs64",
#endif
#ifdef __NR_fsync
        "fsync",
#endif
#ifdef __NR_ftime
        "ftime",
#endif
#ifdef __NR_ftruncate
        "ftruncate",
#endif
#ifdef __NR_ftruncate64
        "ftruncate64",
#endif
#ifdef __NR_futex
        "futex",
#endif
#ifdef __NR_futex_requeue
        "futex_requeue",
#endif
#ifdef __NR_futex_time64
        "futex_time64",
#endif
#ifdef __NR_futex_wait
        "futex_wait",
#endif
#ifdef __NR_futex_waitv
        "futex_waitv",
#endif
#ifdef __NR_futex_wake
        "futex_wake",
#endif
#ifdef __NR_futimesat
        "futimesat",
#endif
#ifdef __NR_get_kernel_syms
        "get_kernel_syms",
#endif
#ifdef __NR_get_mempolicy
        "get_mempolicy",
#endif
#ifdef __NR_get_robust_list
        "get_robust_list",
#endif
#ifdef __NR_get_thread_area
        "get_thread_area",
#endif
#ifdef __NR_getcpu
        "getcpu",
#endif
#ifdef __NR_getcwd
        "getcwd",
#endif
#ifdef __NR_getdents
        "getdents",
#endif
#ifdef __NR_getdents64
        "getdents64",
#endif
#ifdef __NR_getdomainname
        "getdomainname",
#endif
#ifdef __NR_getdtablesize
        "getdtablesize",
#endif
#ifdef __NR_getegid
        "getegid",
#endif
#ifdef __NR_getegid32
        "getegid32",
#endif
#ifdef __NR_geteuid
        "geteuid",
#endif
#ifdef __NR_geteuid32
        "geteuid32",
#endif
#ifdef __NR_getgid
        "getgid",
#endif
#ifdef __NR_getgid32
        "getgid32",
#endif
#ifdef __NR_getgroups
        "getgroups",
#endif
#ifdef __NR_getgroups32
        "getgroups32",
#endif
#ifdef __NR_gethostname
        "gethostname",
#endif
#ifdef __NR_getitimer
        "getitimer",
#endif
#ifdef __NR_getpagesize
        "getpagesize",
#endif
#ifdef __NR_getpeername
        "getpeername",
#endif
#ifdef __NR_getpgid
        "getpgid",
#endif
#ifdef __NR_getpgrp
        "getpgrp",
#endif
#ifdef __NR_getpid
        "getpid",
#endif
#ifdef __NR_getpmsg
        "getpmsg",
#endif
#ifdef __NR_getppid
        "getppid",
#endif
#ifdef __NR_getpriority
        "getpriority",
#endif
#ifdef __NR_getrandom
        "getrandom",
#endif
#ifdef __NR_getresgid
        "getresgid",
#endif
#ifdef __NR_getresgid32
        "getresgid32",
#endif
#ifdef __NR_getresuid
        "getresuid",
#endif
#ifdef __NR_getresuid32
        "getresuid32",
#endif
#ifdef __NR_getrlimit
        "getrlimit",
#endif
#ifdef __NR_getrusage
        "getrusage",
#endif
#ifdef __NR_getsid
        "getsid",
#endif
#ifdef __NR_getsockname
        "getsockname",
#endif
#ifdef __NR_getsockopt
        "getsockopt",
#endif
#ifdef __NR_gettid
        "gettid",
#endif
#ifdef __NR_gettimeofday
        "gettimeofday",
#endif
#ifdef __NR_getuid
        "getuid",
#endif
#ifdef __NR_getuid32
        "getuid32",
#endif
#ifdef __NR_getxattr
        "getxattr",
#endif
#ifdef __NR_getxgid
        "getxgid",
#endif
#ifdef __NR_getxpid
        "getxpid",
#endif
#ifdef __NR_getxuid
        "getxuid",
#endif
#ifdef __NR_gtty
        "gtty",
#endif
#ifdef __NR_idle
        "idle",
#endif
#ifdef __NR_init_module
        "init_module",
#endif
#ifdef __NR_inotify_add_watch
        "inotify_add_watch",
#endif
#ifdef __NR_inotify_init
        "inotify_init",
#endif
#ifdef __NR_inotify_init1
        "inotify_init1",
#endif
#ifdef __NR_inotify_rm_watch
        "inotify_rm_watch",
#endif
#ifdef __NR_io_cancel
        "io_cancel",
#endif
#ifdef __NR_io_destroy
        "io_destroy",
#endif
#ifdef __NR_io_getevents
        "io_getevents",
#endif
#ifdef __NR_io_pgetevents
        "io_pgetevents",
#endif
#ifdef __NR_io_pgetevents_time64
        "io_pgetevents_time64",
#endif
#ifdef __NR_io_setup
        "io_setup",
#endif
#ifdef __NR_io_submit
        "io_submit",
#endif
#ifdef __NR_io_uring_enter
        "io_uring_enter",
#endif
#ifdef __NR_io_uring_register
        "io_uring_register",
#endif
#ifdef __NR_io_uring_setup
        "io_uring_setup",
#endif
#ifdef __NR_ioctl
        "ioctl",
#endif
#ifdef __NR_ioperm
        "ioperm",
#endif
#ifdef __NR_iopl
        "iopl",
#endif
#ifdef __NR_ioprio_get
        "ioprio_get",
#endif
#ifdef __NR_ioprio_set
        "ioprio_set",
#endif
#ifdef __NR_ipc
        "ipc",
#endif
#ifdef __NR_kcmp
        "kcmp",
#endif
#ifdef __NR_kern_features
        "kern_features",
#endif
#ifdef __NR_kexec_file_load
        "kexec_file_load",
#endif
#ifdef __NR_kexec_load
        "kexec_load",
#endif
#ifdef __NR_keyctl
        "keyctl",
#endif
#ifdef __NR_kill
        "kill",
#endif
#ifdef __NR_landlock_add_rule
        "landlock_add_rule",
#endif
#ifdef __NR_landlock_create_ruleset
        "landlock_create_ruleset",
#endif
#ifdef __NR_landlock_restrict_self
        "landlock_restrict_self",
#endif
#ifdef __NR_lchown
        "lchown",
#endif
#ifdef __NR_lchown32
        "lchown32",
#endif
#ifdef __NR_lgetxattr
        "lgetxattr",
#endif
#ifdef __NR_link
        "link",
#endif
#ifdef __NR_linkat
        "linkat",
#endif
#ifdef __NR_listen
        "listen",
#endif
#ifdef __NR_listxattr
        "listxattr",
#endif
#ifdef __NR_llistxattr
        "llistxattr",
#endif
#ifdef __NR_lock
        "lock",
#endif
#ifdef __NR_lookup_dcookie
        "lookup_dcookie",
#endif
#ifdef __NR_lremovexattr
        "lremovexattr",
#endif
#ifdef __NR_lseek
        "lseek",
#endif
#ifdef __NR_lsetxattr
        "lsetxattr",
#endif
#ifdef __NR_lstat
        "lstat",
#endif
#ifdef __NR_lstat64
        "lstat64",
#endif
#ifdef __NR_madvise
        "madvise",
#endif
#ifdef __NR_map_shadow_stack
        "map_shadow_stack",
#endif
#ifdef __NR_mbind
        "mbind",
#endif
#ifdef __NR_membarrier
        "membarrier",
#endif
#ifdef __NR_memfd_create
        "memfd_create",
#endif
#ifdef __NR_memfd_secret
        "memfd_secret",
#endif
#ifdef __NR_memory_ordering
        "memory_ordering",
#endif
#ifdef __NR_migrate_pages
        "migrate_pages",
#endif
#ifdef __NR_mincore
        "mincore",
#endif
#ifdef __NR_mkdir
        "mkdir",
#endif
#ifdef __NR_mkdirat
        "mkdirat",
#endif
#ifdef __NR_mknod
        "mknod",
#endif
#ifdef __NR_mknodat
        "mknodat",
#endif
#ifdef __NR_mlock
        "mlock",
#endif
#ifdef __NR_mlock2
        "mlock2",
#endif
#ifdef __NR_mlockall
        "mlockall",
#endif
#ifdef __NR_mmap
        "mmap",
#endif
#ifdef __NR_mmap2
        "mmap2",
#endif
#ifdef __NR_modify_ldt
        "modify_ldt",
#endif
#ifdef __NR_mount
        "mount",
#endif
#ifdef __NR_mount_setattr
        "mount_setattr",
#endif
#ifdef __NR_move_mount
        "move_mount",
#endif
#ifdef __NR_move_pages
        "move_pages",
#endif
#ifdef __NR_mprotect
        "mprotect",
#endif
#ifdef __NR_mpx
        "mpx",
#endif
#ifdef __NR_mq_getsetattr
        "mq_getsetattr",
#endif
#ifdef __NR_mq_notify
        "mq_notify",
#endif
#ifdef __NR_mq_open
        "mq_open",
#endif
#ifdef __NR_mq_timedreceive
        "mq_timedreceive",
#endif
#ifdef __NR_mq_timedreceive_time64
        "mq_timedreceive_time64",
#endif
#ifdef __NR_mq_timedsend
        "mq_timedsend",
#endif
#ifdef __NR_mq_timedsend_time64
        "mq_timedsend_time64",
#endif
#ifdef __NR_mq_unlink
        "mq_unlink",
#endif
#ifdef __NR_mremap
        "mremap",
#endif
#ifdef __NR_msgctl
        "msgctl",
#endif
#ifdef __NR_msgget
        "msgget",
#endif
#ifdef __NR_msgrcv
        "msgrcv",
#endif
#ifdef __NR_msgsnd
        "msgsnd",
#endif
#ifdef __NR_msync
        "msync",
#endif
#ifdef __NR_multiplexer
        "multiplexer",
#endif
#ifdef __NR_munlock
        "munlock",
#endif
#ifdef __NR_munlockall
        "munlockall",
#endif
#ifdef __NR_munmap
        "munmap",
#endif
#ifdef __NR_name_to_handle_at
        "name_to_handle_at",
#endif
#ifdef __NR_nanosleep
        "nanosleep",
#endif
#ifdef __NR_newfstatat
        "newfstatat",
#endif
#ifdef __NR_nfsservctl
        "nfsservctl",
#endif
#ifdef __NR_nice
        "nice",
#endif
#ifdef __NR_old_adjtimex
        "old_adjtimex",
#endif
#ifdef __NR_oldfstat
        "oldfstat",
#endif
#ifdef __NR_oldlstat
        "oldlstat",
#endif
#ifdef __NR_oldolduname
        "oldolduname",
#endif
#ifdef __NR_oldstat
        "oldstat",
#endif
#ifdef __NR_oldumount
        "oldumount",
#endif
#ifdef __NR_olduname
        "olduname",
#endif
#ifdef __NR_open
        "open",
#endif
#ifdef __NR_open_by_handle_at
        "open_by_handle_at",
#endif
#ifdef __NR_open_tree
        "open_tree",
#endif
#ifdef __NR_openat
        "openat",
#endif
#ifdef __NR_openat2
        "openat2",
#endif
#ifdef __NR_or1k_atomic
        "or1k_atomic",
#endif
#ifdef __NR_osf_fstat
        "osf_fstat",
#endif
#ifdef __NR_osf_fstatfs
        "osf_fstatfs",
#endif
#ifdef __NR_osf_fstatfs64
        "osf_fstatfs64",
#endif
#ifdef __NR_osf_getdirentries
        "osf_getdirentries",
#endif
#ifdef __NR_osf_getdomainname
        "osf_getdomainname",
#endif
#ifdef __NR_osf_getitimer
        "osf_getitimer",
#endif
#ifdef __NR_osf_getrusage
        "osf_getrusage",
#endif
#ifdef __NR_osf_getsysinfo
        "osf_getsysinfo",
#endif
#ifdef __NR_osf_gettimeofday
        "osf_gettimeofday",
#endif
#ifdef __NR_osf_lstat
        "osf_lstat",
#endif
#ifdef __NR_osf_mount
        "osf_mount",
#endif
#ifdef __NR_osf_proplist_syscall
        "osf_proplist_syscall",
#endif
#ifdef __NR_osf_select
        "osf_select",
#endif
#ifdef __NR_osf_set_program_attributes
        "osf_set_program_attributes",
#endif
#ifdef __NR_osf_setitimer
        "osf_setitimer",
#endif
#ifdef __NR_osf_setsysinfo
        "osf_setsysinfo",
#endif
#ifdef __NR_osf_settimeofday
        "osf_settimeofday",
#endif
#ifdef __NR_osf_shmat
        "osf_shmat",
#endif
#ifdef __NR_osf_sigprocmask
        "osf_sigprocmask",
#endif
#ifdef __NR_osf_sigstack
        "osf_sigstack",
#endif
#ifdef __NR_osf_stat
        "osf_stat",
#endif
#ifdef __NR_osf_statfs
        "osf_statfs",
#endif
#ifdef __NR_osf_statfs64
        "osf_statfs64",
#endif
#ifdef __NR_osf_swapon
        "osf_swapon",
#endif
#ifdef __NR_osf_syscall
        "osf_syscall",
#endif
#ifdef __NR_osf_sysinfo
        "osf_sysinfo",
#endif
#ifdef __NR_osf_usleep_thread
        "osf_usleep_thread",
#endif
#ifdef __NR_osf_utimes
        "osf_utimes",
#endif
#ifdef __NR_osf_utsname
        "osf_utsname",
#endif
#ifdef __NR_osf_wait4
        "osf_wait4",
#endif
#ifdef __NR_pause
        "pause",
#endif
#ifdef __NR_pciconfig_iobase
        "pciconfig_iobase",
#endif
#ifdef __NR_pciconfig_read
        "pciconfig_read",
#endif
#ifdef __NR_pciconfig_write
        "pciconfig_write",
#endif
#ifdef __NR_perf_event_open
        "perf_event_open",
#endif
#ifdef __NR_perfctr
        "perfctr",
#endif
#ifdef __NR_personality
        "personality",
#endif
#ifdef __NR_pidfd_getfd
        "pidfd_getfd",
#endif
#ifdef __NR_pidfd_open
        "pidfd_open",
#endif
#ifdef __NR_pidfd_send_signal
        "pidfd_send_signal",
#endif
#ifdef __NR_pipe
        "pipe",
#endif
#ifdef __NR_pipe2
        "pipe2",
#endif
#ifdef __NR_pivot_root
        "pivot_root",
#endif
#ifdef __NR_pkey_alloc
        "pkey_alloc",
#endif
#ifdef __NR_pkey_free
        "pkey_free",
#endif
#ifdef __NR_pkey_mprotect
        "pkey_mprotect",
#endif
#ifdef __NR_poll
        "poll",
#endif
#ifdef __NR_ppoll
        "ppoll",
#endif
#ifdef __NR_ppoll_time64
        "ppoll_time64",
#endif
#ifdef __NR_prctl
        "prctl",
#endif
#ifdef __NR_pread64
        "pread64",
#endif
#ifdef __NR_preadv
        "preadv",
#endif
#ifdef __NR_preadv2
        "preadv2",
#endif
#ifdef __NR_prlimit64
        "prlimit64",
#endif
#ifdef __NR_process_madvise
        "process_madvise",
#endif
#ifdef __NR_process_mrelease
        "process_mrelease",
#endif
#ifdef __NR_process_vm_readv
        "process_vm_readv",
#endif
#ifdef __NR_process_vm_writev
        "process_vm_writev",
#endif
#ifdef __NR_prof
        "prof",
#endif
#ifdef __NR_profil
        "profil",
#endif
#ifdef __NR_pselect6
        "pselect6",
#endif
#ifdef __NR_pselect6_time64
        "pselect6_time64",
#endif
#ifdef __NR_ptrace
        "ptrace",
#endif
#ifdef __NR_putpmsg
        "putpmsg",
#endif
#ifdef __NR_pwrite64
        "pwrite64",
#endif
#ifdef __NR_pwritev
        "pwritev",
#endif
#ifdef __NR_pwritev2
        "pwritev2",
#endif
#ifdef __NR_query_module
        "query_module",
#endif
#ifdef __NR_quotactl
        "quotactl",
#endif
#ifdef __NR_quotactl_fd
        "quotactl_fd",
#endif
#ifdef __NR_read
        "read",
#endif
#ifdef __NR_readahead
        "readahead",
#endif
#ifdef __NR_readdir
        "readdir",
#endif
#ifdef __NR_readlink
        "readlink",
#endif
#ifdef __NR_readlinkat
        "readlinkat",
#endif
#ifdef __NR_readv
        "readv",
#endif
#ifdef __NR_reboot
        "reboot",
#endif
#ifdef __NR_recv
        "recv",
#endif
#ifdef __NR_recvfrom
        "recvfrom",
#endif
#ifdef __NR_recvmmsg
        "recvmmsg",
#endif
#ifdef __NR_recvmmsg_time64
        "recvmmsg_time64",
#endif
#ifdef __NR_recvmsg
        "recvmsg",
#endif
#ifdef __NR_remap_file_pages
        "remap_file_pages",
#endif
#ifdef __NR_removexattr
        "removexattr",
#endif
#ifdef __NR_rename
        "rename",
#endif
#ifdef __NR_renameat
        "renameat",
#endif
#ifdef __NR_renameat2
        "renameat2",
#endif
#ifdef __NR_request_key
        "request_key",
#endif
#ifdef __NR_restart_syscall
        "restart_syscall",
#endif
#ifdef __NR_riscv_flush_icache
        "riscv_flush_icache",
#endif
#ifdef __NR_riscv_hwprobe
        "riscv_hwprobe",
#endif
#ifdef __NR_rmdir
        "rmdir",
#endif
#ifdef __NR_rseq
        "rseq",
#endif
#ifdef __NR_rt_sigaction
        "rt_sigaction",
#endif
#ifdef __NR_rt_sigpending
        "rt_sigpending",
#endif
#ifdef __NR_rt_sigprocmask
        "rt_sigprocmask",
#endif
#ifdef __NR_rt_sigqueueinfo
        "rt_sigqueueinfo",
#endif
#ifdef __NR_rt_sigreturn
        "rt_sigreturn",
#endif
#ifdef __NR_rt_sigsuspend
        "rt_sigsuspend",
#endif
#ifdef __NR_rt_sigtimedwait
        "rt_sigtimedwait",
#endif
#ifdef __NR_rt_sigtimedwait_time64
        "rt_sigtimedwait_time64",
#endif
#ifdef __NR_rt_tgsigqueueinfo
        "rt_tgsigqueueinfo",
#endif
#ifdef __NR_rtas
        "rtas",
#endif
#ifdef __NR_s390_guarded_storage
        "s390_guarded_storage",
#endif
#ifdef __NR_s390_pci_mmio_read
        "s390_pci_mmio_read",
#endif
#ifdef __NR_s390_pci_mmio_write
        "s390_pci_mmio_write",
#endif
#ifdef __NR_s390_runtime_instr
        "s390_runtime_instr",
#endif
#ifdef __NR_s390_sthyi
        "s390_sthyi",
#endif
#ifdef __NR_sched_get_affinity
        "sched_get_affinity",
#endif
#ifdef __NR_sched_get_priority_max
        "sched_get_priority_max",
#endif
#ifdef __NR_sched_get_priority_min
        "sched_get_priority_min",
#endif
#ifdef __NR_sched_getaffinity
        "sched_getaffinity",
#endif
#ifdef __NR_sched_getattr
        "sched_getattr",
#endif
#ifdef __NR_sched_getparam
        "sched_getparam",
#endif
#ifdef __NR_sched_getscheduler
        "sched_getscheduler",
#endif
#ifdef __NR_sched_rr_get_interval
        "sched_rr_get_interval",
#endif
#ifdef __NR_sched_rr_get_interval_time64
        "sched_rr_get_interval_time64",
#endif
#ifdef __NR_sched_set_affinity
        "sched_set_affinity",
#endif
#ifdef __NR_sched_setaffinity
        "sched_setaffinity",
#endif
#ifdef __NR_sched_setattr
        "sched_setattr",
#endif
#ifdef __NR_sched_setparam
        "sched_setparam",
#endif
#ifdef __NR_sched_setscheduler
        "sched_setscheduler",
#endif
#ifdef __NR_sched_yield
        "sched_yield",
#endif
#ifdef __NR_seccomp
        "seccomp",
#endif
#ifdef __NR_security
        "security",
#endif
#ifdef __NR_select
        "select",
#endif
#ifdef __NR_semctl
        "semctl",
#endif
#ifdef __NR_semget
        "semget",
#endif
#ifdef __NR_semop
        "semop",
#endif
#ifdef __NR_semtimedop
        "semtimedop",
#endif
#ifdef __NR_semtimedop_time64
        "semtimedop_time64",
#endif
#ifdef __NR_send
        "send",
#endif
#ifdef __NR_sendfile
        "sendfile",
#endif
#ifdef __NR_sendfile64
        "sendfile64",
#endif
#ifdef __NR_sendmmsg
        "sendmmsg",
#endif
#ifdef __NR_sendmsg
        "sendmsg",
#endif
#ifdef __NR_sendto
        "sendto",
#endif
#ifdef __NR_set_mempolicy
        "set_mempolicy",
#endif
#ifdef __NR_set_mempolicy_home_node
        "set_mempolicy_home_node",
#endif
#ifdef __NR_set_robust_list
        "set_robust_list",
#endif
#ifdef __NR_set_thread_area
        "set_thread_area",
#endif
#ifdef __NR_set_tid_address
        "set_tid_address",
#endif
#ifdef __NR_set_tls
        "set_tls",
#endif
#ifdef __NR_setdomainname
        "setdomainname",
#endif
#ifdef __NR_setfsgid
        "setfsgid",
#endif
#ifdef __NR_setfsgid32
        "setfsgid32",
#endif
#ifdef __NR_setfsuid
        "setfsuid",
#endif
#ifdef __NR_setfsuid32
        "setfsuid32",
#endif
#ifdef __NR_setgid
        "setgid",
#endif
#ifdef __NR_setgid32
        "setgid32",
#endif
#ifdef __NR_setgroups
        "setgroups",
#endif
#ifdef __NR_setgroups32
        "setgroups32",
#endif
#ifdef __NR_sethae
        "sethae",
#endif
#ifdef __NR_sethostname
        "sethostname",
#endif
#ifdef __NR_setitimer
        "setitimer",
#endif
#ifdef __NR_setns
        "setns",
#endif
#ifdef __NR_setpgid
        "setpgid",
#endif
#ifdef __NR_setpgrp
        "setpgrp",
#endif
#ifdef __NR_setpriority
        "setpriority",
#endif
#ifdef __NR_setregid
        "setregid",
#endif
#ifdef __NR_setregid32
        "setregid32",
#endif
#ifdef __NR_setresgid
        "setresgid",
#endif
#ifdef __NR_setresgid32
        "setresgid32",
#endif
#ifdef __NR_setresuid
        "setresuid",
#endif
#ifdef __NR_setresuid32
        "setresuid32",
#endif
#ifdef __NR_setreuid
        "setreuid",
#endif
#ifdef __NR_setreuid32
        "setreuid32",
#endif
#ifdef __NR_setrlimit
        "setrlimit",
#endif
#ifdef __NR_setsid
        "setsid",
#endif
#ifdef __NR_setsockopt
        "setsockopt",
#endif
#ifdef __NR_settimeofday
        "settimeofday",
#endif
#ifdef __NR_setuid
        "setuid",
#endif
#ifdef __NR_setuid32
        "setuid32",
#endif
#ifdef __NR_setxattr
        "setxattr",
#endif
#ifdef __NR_sgetmask
        "sgetmask",
#endif
#ifdef __NR_shmat
        "shmat",
#endif
#ifdef __NR_shmctl
        "shmctl",
#endif
#ifdef __NR_shmdt
        "shmdt",
#endif
#ifdef __NR_shmget
        "shmget",
#endif
#ifdef __NR_shutdown
        "shutdown",
#endif
#ifdef __NR_sigaction
        "sigaction",
#endif
#ifdef __NR_sigaltstack
        "sigaltstack",
#endif
#ifdef __NR_signal
        "signal",
#endif
#ifdef __NR_signalfd
        "signalfd",
#endif
#ifdef __NR_signalfd4
        "signalfd4",
#endif
#ifdef __NR_sigpending
        "sigpending",
#endif
#ifdef __NR_sigprocmask
        "sigprocmask",
#endif
#ifdef __NR_sigreturn
        "sigreturn",
#endif
#ifdef __NR_sigsuspend
        "sigsuspend",
#endif
#ifdef __NR_socket
        "socket",
#endif
#ifdef __NR_socketcall
        "socketcall",
#endif
#ifdef __NR_socketpair
        "socketpair",
#endif
#ifdef __NR_splice
        "splice",
#endif
#ifdef __NR_spu_create
        "spu_create",
#endif
#ifdef __NR_spu_run
        "spu_run",
#endif
#ifdef __NR_ssetmask
        "ssetmask",
#endif
#ifdef __NR_stat
        "stat",
#endif
#ifdef __NR_stat64
        "stat64",
#endif
#ifdef __NR_statfs
        "statfs",
#endif
#ifdef __NR_statfs64
        "statfs64",
#endif
#ifdef __NR_statx
        "statx",
#endif
#ifdef __NR_stime
        "stime",
#endif
#ifdef __NR_stty
        "stty",
#endif
#ifdef __NR_subpage_prot
        "subpage_prot",
#endif
#ifdef __NR_swapcontext
        "swapcontext",
#endif
#ifdef __NR_swapoff
        "swapoff",
#endif
#ifdef __NR_swapon
        "swapon",
#endif
#ifdef __NR_switch_endian
        "switch_endian",
#endif
#ifdef __NR_symlink
        "symlink",
#endif
#ifdef __NR_symlinkat
        "symlinkat",
#endif
#ifdef __NR_sync
        "sync",
#endif
#ifdef __NR_sync_file_range
        "sync_file_range",
#endif
#ifdef __NR_sync_file_range2
        "sync_file_range2",
#endif
#ifdef __NR_syncfs
        "syncfs",
#endif
#ifdef __NR_sys_debug_setcontext
        "sys_debug_setcontext",
#endif
#ifdef __NR_syscall
        "syscall",
#endif
#ifdef __NR_sysfs
        "sysfs",
#endif
#ifdef __NR_sysinfo
        "sysinfo",
#endif
#ifdef __NR_syslog
        "syslog",
#endif
#ifdef __NR_sysmips
        "sysmips",
#endif
#ifdef __NR_tee
        "tee",
#endif
#ifdef __NR_tgkill
        "tgkill",
#endif
#ifdef __NR_time
        "time",
#endif
#ifdef __NR_timer_create
        "timer_create",
#endif
#ifdef __NR_timer_delete
        "timer_delete",
#endif
#ifdef __NR_timer_getoverrun
        "timer_getoverrun",
#endif
#ifdef __NR_timer_gettime
        "timer_gettime",
#endif
#ifdef __NR_timer_gettime64
        "timer_gettime64",
#endif
#ifdef __NR_timer_settime
        "timer_settime",
#endif
#ifdef __NR_timer_settime64
        "timer_settime64",
#endif
#ifdef __NR_timerfd
        "timerfd",
#endif
#ifdef __NR_timerfd_create
        "timerfd_create",
#endif
#ifdef __NR_timerfd_gettime
        "timerfd_gettime",
#endif
#ifdef __NR_timerfd_gettime64
        "timerfd_gettime64",
#endif
#ifdef __NR_timerfd_settime
        "timerfd_settime",
#endif
#ifdef __NR_timerfd_settime64
        "timerfd_settime64",
#endif
#ifdef __NR_times
        "times",
#endif
#ifdef __NR_tkill
        "tkill",
#endif
#ifdef __NR_truncate
        "truncate",
#endif
#ifdef __NR_truncate64
        "truncate64",
#endif
#ifdef __NR_tuxcall
        "tuxcall",
#endif
#ifdef __NR_ugetrlimit
        "ugetrlimit",
#endif
#ifdef __NR_ulimit
        "ulimit",
#endif
#ifdef __NR_umask
        "umask",
#endif
#ifdef __NR_umount
        "umount",
#endif
#ifdef __NR_umount2
        "umount2",
#endif
#ifdef __NR_uname
        "uname",
#endif
#ifdef __NR_unlink
        "unlink",
#endif
#ifdef __NR_unlinkat
        "unlinkat",
#endif
#ifdef __NR_unshare
        "unshare",
#endif
#ifdef __NR_uretprobe
        "uretprobe",
#endif
#ifdef __NR_uselib
        "uselib",
#endif
#ifdef __NR_userfaultfd
        "userfaultfd",
#endif
#ifdef __NR_ustat
        "ustat",
#endif
#ifdef __NR_utime
        "utime",
#endif
#ifdef __NR_utimensat
        "utimensat",
#endif
#ifdef __NR_utimensat_time64
        "utimensat_time64",
#endif
#ifdef __NR_utimes
        "utimes",
#endif
#ifdef __NR_utrap_install
        "utrap_install",
#endif
#ifdef __NR_vfork
        "vfork",
#endif
#ifdef __NR_vhangup
        "vhangup",
#endif
#ifdef __NR_vm86
        "vm86",
#endif
#ifdef __NR_vm86old
        "vm86old",
#endif
#ifdef __NR_vmsplice
        "vmsplice",
#endif
#ifdef __NR_vserver
        "vserver",
#endif
#ifdef __NR_wait4
        "wait4",
#endif
#ifdef __NR_waitid
        "waitid",
#endif
#ifdef __NR_waitpid
        "waitpid",
#endif
#ifdef __NR_write
        "write",
#endif
#ifdef __NR_writev
        "writev",
#endif
};
