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
  # itself so that the checks can read it; its type accepts any JSON-like value.
  pkgs = {
    formats.json = _: {
      type = types.anything;
      generate = name: value: builtins.toFile name (builtins.toJSON value);
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
      alertmanager.urls = [ "http://192.0.2.9:9093" ];
      hardening.accept = [
        {
          units = "nginx*.service";
          check = "PrivateNetwork";
        }
      ];
    };
  };
}
