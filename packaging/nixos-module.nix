# NixOS module for unitwatchd: `services.unitwatch`. The service's sandbox is the one of
# packaging/unitwatchd.service, key for key (tests/nix/check.sh compares the two).
{
  config,
  lib,
  pkgs,
  ...
}:

let
  cfg = config.services.unitwatch;
  json = pkgs.formats.json { };

  # The daemon takes numeric addresses only; an IPv6 literal needs its brackets.
  listenEntry =
    let
      bare = lib.removeSuffix "]" (lib.removePrefix "[" cfg.listenAddress);
    in
    if lib.hasInfix ":" bare then
      "[${bare}]:${toString cfg.port}"
    else
      "${bare}:${toString cfg.port}";

  # The daemon refuses keys it does not know: nulls (options left unset) stay out of the file.
  configJSON = json.generate "unitwatch.json" (
    lib.filterAttrsRecursive (_: v: v != null) cfg.settings
  );

  # The daemon's own verdict on the file, at build time: a key it refuses fails the build
  # with its message instead of the service at boot.
  configFile =
    if cfg.checkConfig then
      pkgs.runCommand "unitwatch-checked.json" { preferLocalBuild = true; } ''
        ${lib.getExe cfg.package} --config ${configJSON} --check-config
        cp ${configJSON} $out
      ''
    else
      configJSON;

  # What systemd's IP filter lets through: localhost, the addresses the administrator lists,
  # and the Alertmanagers whose URLs name an IP literal (a host name cannot be resolved here).
  ipv4 = "[0-9]{1,3}(\\.[0-9]{1,3}){3}";
  ipv6 = "[0-9A-Fa-f.]*:[0-9A-Fa-f:.]*";
  urlHostIP =
    url:
    let
      # Groups: 1 the IPv6 literal within its brackets, 2 the IPv4 literal.
      m = builtins.match "https?://(\\[(${ipv6})]|(${ipv4}))(:[0-9]+)?(/.*)?" url;
    in
    if m == null then
      null
    else if builtins.elemAt m 1 != null then
      builtins.elemAt m 1
    else
      builtins.elemAt m 2;
  alertmanagerIPs = lib.filter (ip: ip != null) (
    map urlHostIP cfg.settings.alerts.alertmanager.urls
  );
  allowedIPs = lib.unique (cfg.allowedIPs ++ alertmanagerIPs);

  jsonSubmodule =
    options:
    lib.types.submodule {
      freeformType = json.type;
      inherit options;
    };
in
{
  options.services.unitwatch = {
    enable = lib.mkEnableOption "unitwatchd, which reports what every systemd service uses against its limits, and how well it is sandboxed";

    package = lib.mkPackageOption pkgs "unitwatch" { };

    listenAddress = lib.mkOption {
      type = lib.types.str;
      default = "127.0.0.1";
      example = "::";
      description = ''
        Numeric IPv4 or IPv6 address the HTTP endpoints (`/metrics`, `/api/v1`) listen on.
        Host names are not accepted. Only hosts in {option}`services.unitwatch.allowedIPs`
        (and localhost) can reach it, whatever the address.
      '';
    };

    port = lib.mkOption {
      type = lib.types.port;
      default = 9839;
      description = "TCP port of the HTTP endpoints.";
    };

    openFirewall = lib.mkOption {
      type = lib.types.bool;
      default = false;
      description = "Whether to open {option}`services.unitwatch.port` in the firewall.";
    };

    allowedIPs = lib.mkOption {
      type = lib.types.listOf (
        lib.types.strMatching "localhost|link-local|multicast|${ipv4}(/[0-9]{1,2})?|${ipv6}(/[0-9]{1,3})?"
      );
      default = [ ];
      example = [
        "10.0.0.0/8"
        "192.0.2.7"
        "2001:db8::/32"
      ];
      description = ''
        IP addresses or prefixes (CIDR), besides localhost, that unitwatchd may exchange
        packets with, in either direction: the Prometheus servers that scrape it and the
        Alertmanagers it pushes alerts to. systemd's IP filter (`IPAddressDeny=any`,
        `IPAddressAllow=`) drops everything else, so host names cannot be given here.

        An Alertmanager URL in {option}`services.unitwatch.settings.alerts.alertmanager.urls`
        whose host is an IP address is allowed without being listed. One that names a host
        needs that host's addresses here, and the DNS server's too unless it is on localhost
        (systemd-resolved, for one).
      '';
    };

    checkConfig = lib.mkOption {
      type = lib.types.bool;
      default = pkgs.stdenv.buildPlatform.canExecute pkgs.stdenv.hostPlatform;
      defaultText = lib.literalExpression "pkgs.stdenv.buildPlatform.canExecute pkgs.stdenv.hostPlatform";
      description = ''
        Whether to run `unitwatchd --check-config` on the generated config file when the
        system is built, so that a key or value the daemon refuses fails the build with the
        daemon's own message. It runs the package's binary, so it is off when cross-compiling.
      '';
    };

    settings = lib.mkOption {
      default = { };
      example = lib.literalExpression ''
        {
          interval = 5;
          units.exclude = [ "user@*.service" ];
          hardening.accept = [ { units = "nginx*.service"; check = "PrivateNetwork"; } ];
        }
      '';
      description = ''
        The daemon's JSON config file (see "Config file" in unitwatch's README). Keys not
        listed here are written as given; the daemon refuses keys it does not know.
      '';
      type = jsonSubmodule {
        listen = lib.mkOption {
          type = lib.types.listOf lib.types.str;
          default = [ listenEntry ];
          defaultText = lib.literalExpression ''[ "''${listenAddress}:''${toString port}" ]'';
          description = ''
            `ADDRESS:PORT` pairs to serve on (`[ADDRESS]:PORT` for IPv6), at most 8. Set
            this only to listen on more than one address; the firewall opens
            {option}`services.unitwatch.port` only.
          '';
        };

        interval = lib.mkOption {
          type = lib.types.numbers.between 0.1 3600;
          default = 10;
          description = "Seconds between two collections.";
        };

        units = lib.mkOption {
          default = { };
          description = "Which units are listed.";
          type = jsonSubmodule {
            types = lib.mkOption {
              type = lib.types.listOf (
                lib.types.enum [
                  "service"
                  "scope"
                  "slice"
                ]
              );
              default = [ "service" ];
              description = "Unit types to list.";
            };
            include = lib.mkOption {
              type = lib.types.listOf lib.types.str;
              default = [ ];
              example = [ "nginx*.service" ];
              description = "Globs of the unit names to list; empty lists every unit.";
            };
            exclude = lib.mkOption {
              type = lib.types.listOf lib.types.str;
              default = [ ];
              example = [ "user@*.service" ];
              description = "Globs of the unit names to skip, applied after `include`.";
            };
          };
        };

        alerts = lib.mkOption {
          default = { };
          description = ''
            The built-in alert rules and their delivery to Alertmanager: the `alerts` object
            of the config file (see "Alerts" in unitwatch's README). `systemctl reload
            unitwatch` applies a change without losing the alerts' state.
          '';
          type = jsonSubmodule {
            rules = lib.mkOption {
              type = lib.types.attrsOf json.type;
              default = { };
              example = lib.literalExpression ''
                {
                  MemoryNearLimit = { threshold = 0.95; clear = 0.9; "for" = 60; };
                  ExposureAboveThreshold = { enabled = true; threshold = 7.0; clear = 7.0; };
                }
              '';
              description = ''
                Settings of the built-in rules, by rule name: `MemoryNearLimit`, `OOMKilled`,
                `CPUThrottled`, `TasksNearLimit`, `PressureStall`, `UnitFailed`,
                `RestartLoop`, `HardeningRegression`, `ExposureAboveThreshold`. Each takes any
                of `enabled`, `severity` (`"info"`, `"warning"`, `"critical"`),
                `threshold`, `clear`, `threshold_full`, `clear_full`, and the durations in
                seconds `for`, `keep_firing_for`, `window`. A rule not named keeps its
                defaults.
              '';
            };

            overrides = lib.mkOption {
              type = lib.types.listOf json.type;
              default = [ ];
              example = lib.literalExpression ''
                [ { units = "backup-*.service"; rule = "CPUThrottled"; enabled = false; } ]
              '';
              description = ''
                Per-unit settings: `{ units = GLOB; rule = NAME; ... }` with the keys of
                {option}`services.unitwatch.settings.alerts.rules`. The first entry whose
                glob matches a unit applies to it, over the rule's own settings.
              '';
            };

            alertmanager = lib.mkOption {
              default = { };
              description = "Where firing and resolved alerts are pushed.";
              type = jsonSubmodule {
                urls = lib.mkOption {
                  type = lib.types.listOf (lib.types.strMatching "https?://[^[:space:]]+");
                  default = [ ];
                  example = [ "http://10.0.0.5:9093" ];
                  description = ''
                    Alertmanager base URLs, at most 8; alerts are posted to
                    `URL/api/v2/alerts`. Empty: alerts are only shown by unitwatchd itself
                    (`/api/v1/alerts`, `unitwatch_alert_active`). An IP literal as host is
                    let through the service's IP filter by itself; for a host name see
                    {option}`services.unitwatch.allowedIPs`.
                  '';
                };
                resend_interval = lib.mkOption {
                  type = lib.types.numbers.between 1 604800;
                  default = 60;
                  description = "Seconds between two pushes of the same firing alerts.";
                };
                timeout = lib.mkOption {
                  type = lib.types.numbers.between 1 604800;
                  default = 5;
                  description = "Seconds one push to one Alertmanager may take.";
                };
              };
            };

            resolved_retention = lib.mkOption {
              type = lib.types.numbers.between 0 604800;
              default = 900;
              description = "Seconds a resolved alert stays listed (and pushed as resolved).";
            };

            host = lib.mkOption {
              type = lib.types.nullOr lib.types.nonEmptyStr;
              default = null;
              example = "web-1";
              description = ''
                The `host` label of pushed alerts; null uses the machine's host name.
              '';
            };
          };
        };
      };
    };

    extraFlags = lib.mkOption {
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [
        "--log-level"
        "debug"
      ];
      description = "Extra command-line flags for unitwatchd; they override the config file.";
    };

    environmentFile = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = null;
      description = ''
        File of `NAME=value` lines for the service's environment (systemd's
        `EnvironmentFile=`). Given as a string, it is not copied into the Nix store.
      '';
    };

    bearerTokenFile = lib.mkOption {
      type = lib.types.nullOr lib.types.path;
      default = null;
      example = "/run/keys/unitwatch-token";
      description = ''
        File holding the bearer token (at least 16 characters) that every request but
        /healthz and /readyz must carry. It is handed to the service as the systemd
        credential `bearer-token` and read with `--token-file`, never through the Nix store.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
    assertions = [
      {
        assertion = !(cfg.settings ? alertmanager);
        message = "services.unitwatch.settings.alertmanager is now services.unitwatch.settings.alerts.alertmanager (unitwatchd refuses a top-level 'alertmanager' key).";
      }
      {
        assertion = lib.length cfg.settings.alerts.alertmanager.urls <= 8;
        message = "services.unitwatch.settings.alerts.alertmanager.urls: unitwatchd takes at most 8 URLs.";
      }
    ];

    users.users.unitwatch = {
      isSystemUser = true;
      group = "unitwatch";
      description = "unitwatch daemon";
    };
    users.groups.unitwatch = { };

    networking.firewall.allowedTCPPorts = lib.mkIf cfg.openFirewall [ cfg.port ];

    systemd.services.unitwatch = {
      description = "unitwatch: resource use and hardening of every systemd service";
      wantedBy = [ "multi-user.target" ];
      wants = [ "network-online.target" ];
      after = [
        "network-online.target"
        "dbus.service"
      ];

      serviceConfig = {
        Type = "notify";
        ExecStart = lib.concatStringsSep " " (
          [
            (lib.getExe cfg.package)
            "--config"
            "${configFile}"
          ]
          # %d: systemd's credentials directory, where LoadCredential= below puts the token.
          ++ lib.optionals (cfg.bearerTokenFile != null) [
            "--token-file"
            "%d/bearer-token"
          ]
          ++ lib.optional (cfg.extraFlags != [ ]) (lib.escapeShellArgs cfg.extraFlags)
        );
        ExecReload = "${pkgs.coreutils}/bin/kill -HUP $MAINPID";
        Restart = "on-failure";
        RestartSec = "2s";
        WatchdogSec = "30s";
        TimeoutStopSec = "10s";

        # A static user, as in unitwatchd.service: dbus-daemon refuses a client whose uid
        # has no name, which a dynamic user has only where nss-systemd is in nsswitch.conf.
        User = "unitwatch";
        Group = "unitwatch";
        StateDirectory = "unitwatch";
        StateDirectoryMode = "0700";
        ConfigurationDirectory = "unitwatch";
        UMask = "0077";
        LimitNOFILE = 16384;

        CapabilityBoundingSet = "";
        AmbientCapabilities = "";
        NoNewPrivileges = true;

        ProtectSystem = "strict";
        ProtectHome = true;
        PrivateTmp = true;
        PrivateDevices = true;
        DevicePolicy = "closed";
        PrivateUsers = true;
        PrivateMounts = true;
        ProtectKernelTunables = true;
        ProtectKernelModules = true;
        ProtectKernelLogs = true;
        ProtectControlGroups = true;
        ProtectClock = true;
        ProtectHostname = true;
        ProtectProc = "invisible";
        ProcSubset = "pid";
        RemoveIPC = true;
        KeyringMode = "private";

        RestrictAddressFamilies = "AF_UNIX AF_INET AF_INET6";
        IPAddressDeny = "any";
        IPAddressAllow = [ "localhost" ] ++ allowedIPs;

        RestrictNamespaces = true;
        RestrictRealtime = true;
        RestrictSUIDSGID = true;
        LockPersonality = true;
        MemoryDenyWriteExecute = true;
        SystemCallArchitectures = "native";
        SystemCallFilter = [
          "@system-service"
          "~@privileged @resources"
        ];
        SystemCallErrorNumber = "EPERM";

        # toString keeps a path literal from being copied into the store.
        EnvironmentFile = lib.mkIf (cfg.environmentFile != null) (toString cfg.environmentFile);
        # The token reaches the daemon as a credential (ExecStart's --token-file above).
        LoadCredential = lib.mkIf (
          cfg.bearerTokenFile != null
        ) "bearer-token:${toString cfg.bearerTokenFile}";
      };
    };
  };
}
