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

  # The daemon refuses keys it does not know, so the ones it does not parse yet (alerts,
  # alertmanager, history_points) reach the file only once they are given a value.
  withoutNulls = lib.filterAttrsRecursive (_: v: v != null) cfg.settings;
  alertmanager = lib.filterAttrs (n: v: !(n == "urls" && v == [ ])) withoutNulls.alertmanager;
  finalSettings = lib.filterAttrs (n: v: !(lib.elem n [ "alerts" "alertmanager" ] && v == { })) (
    withoutNulls // { inherit alertmanager; }
  );
  configFile = json.generate "unitwatch.json" finalSettings;

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
      type = lib.types.listOf lib.types.str;
      default = [ ];
      example = [
        "10.0.0.0/8"
        "192.0.2.7"
      ];
      description = ''
        Addresses or prefixes, besides localhost, that may talk to the daemon: the
        Prometheus servers that scrape it and the Alertmanager hosts. Everything else is
        dropped by systemd's IP filter (`IPAddressDeny=any`).
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
          type = json.type;
          default = { };
          description = ''
            Alert thresholds. The daemon has no alerting yet and refuses this key, so it is
            kept free-form and left out of the file while empty.
          '';
        };

        alertmanager = lib.mkOption {
          default = { };
          description = "Where alerts are sent (alerting is still to come).";
          type = jsonSubmodule {
            urls = lib.mkOption {
              type = lib.types.listOf lib.types.str;
              default = [ ];
              example = [ "http://alertmanager.example:9093" ];
              description = ''
                Alertmanager base URLs. Left out of the file while empty: the daemon does
                not know this key yet.
              '';
            };
          };
        };

        history_points = lib.mkOption {
          type = lib.types.nullOr lib.types.ints.positive;
          default = null;
          description = ''
            Samples kept per unit for `/api/v1/units/{unit}/series`. Not configurable in
            the daemon yet (it keeps 90); null leaves the key out.
          '';
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
        File holding the bearer token for the write endpoints. It is handed to the service
        as the systemd credential `bearer-token`, never through the Nix store.
      '';
    };
  };

  config = lib.mkIf cfg.enable {
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
          ++ lib.optional (cfg.extraFlags != [ ]) (lib.escapeShellArgs cfg.extraFlags)
        );
        ExecReload = "${pkgs.coreutils}/bin/kill -HUP $MAINPID";
        Restart = "on-failure";
        RestartSec = "2s";
        WatchdogSec = "30s";
        TimeoutStopSec = "10s";

        DynamicUser = true;
        StateDirectory = "unitwatch";
        StateDirectoryMode = "0700";
        ConfigurationDirectory = "unitwatch";
        UMask = "0077";
        LimitNOFILE = 16384;

        CapabilityBoundingSet = "";
        AmbientCapabilities = "";
        NoNewPrivileges = true;
        SecureBits = "noroot-locked";

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
        IPAddressAllow = [ "localhost" ] ++ cfg.allowedIPs;

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
        # TODO: unitwatchd does not read the token yet; once it does, it finds it in
        # $CREDENTIALS_DIRECTORY/bearer-token.
        LoadCredential = lib.mkIf (
          cfg.bearerTokenFile != null
        ) "bearer-token:${toString cfg.bearerTokenFile}";
      };
    };
  };
}
