# Evaluates packaging/nixos-module.nix with a real nixpkgs `lib` and just enough stubs of
# NixOS (systemd.services, networking.firewall) and of pkgs to stand in for a system.
#   nix-instantiate --eval --strict --json tests/nix/eval.nix --argstr libDir /path/to/lib
# Prints, for a few configurations, what the module put into the system: the service and
# the firewall ports. tests/nix/check.sh checks the values.
{ libDir }:

let
  lib = import libDir;
  inherit (lib) mkOption types;

  fakePackage = name: extra: {
    type = "derivation";
    inherit name;
    outPath = "/stub/${name}";
  } // extra;

  # Stand-ins for the few attributes of pkgs the module uses. formats.json writes the file
  # itself so that the checks can read it; its type accepts any JSON-like value. runCommand
  # cannot build here: its "output" is the build script itself, which tests/nix/check.py
  # runs with the real unitwatchd in place of the stub package.
  pkgs = {
    formats.json = _: {
      type = types.anything;
      generate = name: value: builtins.toFile name (builtins.toJSON value);
    };
    runCommand =
      name: _env: script:
      fakePackage name { outPath = builtins.toFile "${name}.build-script" script; };
    stdenv = {
      hostPlatform.system = "x86_64-linux";
      buildPlatform.canExecute = platform: platform.system == "x86_64-linux";
    };
    coreutils = fakePackage "coreutils" { };
    unitwatch = fakePackage "unitwatch" { meta.mainProgram = "unitwatchd"; };
  };

  # The NixOS options the module sets, declared loosely.
  nixosStubs = {
    options = {
      systemd.services = mkOption {
        default = { };
        type = types.attrsOf (
          types.submodule {
            freeformType = types.attrsOf types.anything;
            options.serviceConfig = mkOption {
              type = types.attrsOf types.anything;
              default = { };
            };
          }
        );
      };
      networking.firewall.allowedTCPPorts = mkOption {
        type = types.listOf types.port;
        default = [ ];
      };
      users.users = mkOption {
        type = types.attrsOf (types.attrsOf types.anything);
        default = { };
      };
      users.groups = mkOption {
        type = types.attrsOf (types.attrsOf types.anything);
        default = { };
      };
      assertions = mkOption {
        type = types.listOf types.unspecified;
        default = [ ];
      };
    };
  };

  evalWith =
    settings:
    let
      system = lib.evalModules {
        specialArgs = { inherit pkgs; };
        modules = [
          nixosStubs
          ../../packaging/nixos-module.nix
          { services.unitwatch = settings; }
        ];
      };
      inherit (system) config;
    in
    {
      hasService = config.systemd.services ? unitwatch;
      firewallPorts = config.networking.firewall.allowedTCPPorts;
      users = config.users.users;
      groups = config.users.groups;
      # Messages of the assertions that fail, as NixOS would print them.
      failedAssertions = map (a: a.message) (lib.filter (a: !a.assertion) config.assertions);
    }
    // lib.optionalAttrs (config.systemd.services ? unitwatch) {
      service = config.systemd.services.unitwatch;
    };
  # packaging/package.nix called as callPackage would, with mkDerivation handing back its
  # arguments: enough to check the source filter, the meta and the phases' shell.
  package =
    let
      drv = import ../../packaging/package.nix {
        inherit lib;
        stdenv.mkDerivation = attrs: attrs;
        pkg-config = fakePackage "pkg-config" { };
        systemd = fakePackage "systemd" { };
        libmicrohttpd = fakePackage "libmicrohttpd" { };
        jansson = fakePackage "jansson" { };
        zlib = fakePackage "zlib" { };
        curl = fakePackage "curl" { };
        gnutls = fakePackage "gnutls" { };
        criterion = fakePackage "criterion" { };
      };
    in
    {
      inherit (drv) pname version doCheck checkPhase;
      inherit (drv.meta) mainProgram;
      license = drv.meta.license.spdxId;
      src = "${drv.src}";
    };
in
{
  inherit package;

  # The option the module had before alerting landed: refused with a pointer to the new one.
  staleAlertmanager = evalWith {
    enable = true;
    settings.alertmanager.urls = [ "http://192.0.2.9:9093" ];
  };

  # Nine URLs: one more than the daemon takes.
  tooManyUrls = evalWith {
    enable = true;
    settings.alerts.alertmanager.urls = map (i: "http://192.0.2.${toString i}:9093") (
      lib.range 1 9
    );
  };

  # allowedIPs takes what systemd's IPAddressAllow= takes, host names excepted: whether each
  # list evaluates.
  allowedIPsAccepted =
    map
      (
        ips:
        (builtins.tryEval (
          builtins.deepSeq
            (evalWith {
              enable = true;
              allowedIPs = ips;
            }).service.serviceConfig.IPAddressAllow
            true
        )).success
      )
      [
        [
          "192.0.2.7"
          "10.0.0.0/8"
          "2001:db8::/32"
          "::1"
          "link-local"
        ]
        [ "prometheus.example" ]
        [ "10.0.0.0/8 192.0.2.7" ]
      ];

  # No build-time check (cross-compiling): the file itself, as generated.
  unchecked = evalWith {
    enable = true;
    checkConfig = false;
  };

  disabled = evalWith { };

  # The case of the issue: defaults, a shorter interval, one scraper network.
  basic = evalWith {
    enable = true;
    settings.interval = 5;
    allowedIPs = [ "10.0.0.0/8" ];
  };

  # Everything else the module offers.
  custom = evalWith {
    enable = true;
    listenAddress = "::1";
    port = 9900;
    openFirewall = true;
    extraFlags = [
      "--log-level"
      "debug"
    ];
    environmentFile = "/run/keys/unitwatch.env";
    bearerTokenFile = "/run/keys/unitwatch-token";
    settings = {
      units.exclude = [ "user@*.service" ];
      alerts = {
        rules.MemoryNearLimit = {
          threshold = 0.95;
          clear = 0.9;
          "for" = 60;
        };
        rules.ExposureAboveThreshold.enabled = true;
        overrides = [
          {
            units = "backup-*.service";
            rule = "CPUThrottled";
            enabled = false;
          }
        ];
        # An IPv4 literal, an IPv6 literal and a host name: only the first two can be
        # allowed by the module itself.
        alertmanager.urls = [
          "http://192.0.2.9:9093"
          "https://[2001:db8::9]:9093/"
          "http://alertmanager.example:9093"
        ];
        alertmanager.resend_interval = 30;
        host = "web-1";
      };
      hardening.accept = [
        {
          units = "nginx*.service";
          check = "PrivateNetwork";
        }
      ];
    };
  };
}
