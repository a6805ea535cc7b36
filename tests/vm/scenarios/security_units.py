"""Purpose-built services for the hardening comparison: together they exercise every check and
special case of systemd-analyze security. Each entry: name -> [Service] lines (ExecStart and
Type are added), plus optional [Unit] lines under the key "unit:"."""

UNITS = {
    "uwsec-bare": [],
    "uwsec-dynamic": ["DynamicUser=yes"],
    "uwsec-nobody": ["User=nobody"],
    "uwsec-user-root": ["User=root", "SupplementaryGroups=adm", "RemoveIPC=yes"],
    "uwsec-user-daemon": ["User=daemon", "SupplementaryGroups=adm", "RemoveIPC=yes"],
    "uwsec-ps-strict": ["ProtectSystem=strict", "ProtectHome=yes"],
    "uwsec-ps-full": ["ProtectSystem=full", "ProtectHome=read-only"],
    "uwsec-ps-yes": ["ProtectSystem=yes", "ProtectHome=tmpfs"],
    "uwsec-umask-0077": ["UMask=0077", "KeyringMode=shared", "ProtectProc=invisible",
                         "ProcSubset=pid", "NotifyAccess=all"],
    "uwsec-umask-0027": ["UMask=0027", "ProtectProc=noaccess"],
    "uwsec-umask-0002": ["UMask=0002", "ProtectProc=ptraceable"],
    "uwsec-scf-deny": ["SystemCallFilter=~@mount @swap @reboot:EPERM @raw-io",
                       "SystemCallErrorNumber=EPERM", "SystemCallArchitectures=native"],
    "uwsec-scf-allow": ["SystemCallFilter=@system-service", "SystemCallFilter=~@privileged",
                        "SystemCallArchitectures=native x86"],
    "uwsec-scf-allow-only": ["SystemCallFilter=@basic-io @file-system @process @signal"],
    "uwsec-raf-allow": ["RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"],
    "uwsec-raf-deny": ["RestrictAddressFamilies=~AF_PACKET AF_NETLINK"],
    "uwsec-raf-exotic": ["RestrictAddressFamilies=~AF_BLUETOOTH"],
    "uwsec-raf-none": ["RestrictAddressFamilies=none"],
    "uwsec-ip-deny": ["IPAddressDeny=any"],
    "uwsec-ip-localhost": ["IPAddressDeny=any", "IPAddressAllow=localhost"],
    "uwsec-ip-other": ["IPAddressDeny=any", "IPAddressAllow=10.0.0.0/8 127.0.0.1"],
    "uwsec-devices": ["DevicePolicy=closed", "PrivateDevices=yes"],
    "uwsec-devices-strict": ["DevicePolicy=strict", "DeviceAllow=/dev/null rw"],
    "uwsec-caps": ["CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_CHOWN",
                   "AmbientCapabilities=CAP_NET_BIND_SERVICE"],
    "uwsec-caps-none": ["CapabilityBoundingSet=", "NoNewPrivileges=yes",
                        "ProtectKernelModules=yes", "ProtectKernelLogs=yes", "ProtectClock=yes"],
    "uwsec-nodefdeps": ["unit:DefaultDependencies=no", "RootDirectory=/", "ProtectHome=yes"],
    "uwsec-ns": ["RestrictNamespaces=user mnt", "RestrictRealtime=yes", "RestrictSUIDSGID=yes",
                 "LockPersonality=yes", "MemoryDenyWriteExecute=yes", "PrivateUsers=yes"],
    "uwsec-hardened": [
        "DynamicUser=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
        "PrivateDevices=yes", "PrivateNetwork=yes", "PrivateUsers=yes", "ProtectHostname=yes",
        "ProtectClock=yes", "ProtectKernelTunables=yes", "ProtectKernelModules=yes",
        "ProtectKernelLogs=yes", "ProtectControlGroups=yes", "RestrictAddressFamilies=AF_UNIX",
        "RestrictNamespaces=yes", "LockPersonality=yes", "MemoryDenyWriteExecute=yes",
        "RestrictRealtime=yes", "RestrictSUIDSGID=yes", "RemoveIPC=yes",
        "CapabilityBoundingSet=", "NoNewPrivileges=yes", "SystemCallArchitectures=native",
        "SystemCallFilter=@system-service", "SystemCallFilter=~@privileged @resources",
        "UMask=0077", "IPAddressDeny=any", "DevicePolicy=closed", "ProtectProc=invisible",
        "ProcSubset=pid", "KeyringMode=private"],
    "uwsec-delegate": ["Delegate=yes", "ProtectControlGroups=yes"],
}


def unit_file(name, lines):
    unit = [l[5:] for l in lines if l.startswith("unit:")]
    service = [l for l in lines if not l.startswith("unit:")]
    return ("[Unit]\nDescription=unitwatch hardening test %s\n%s\n[Service]\nType=exec\n"
            "ExecStart=/bin/sleep 3600\n%s\n" % (name, "\n".join(unit), "\n".join(service)))
