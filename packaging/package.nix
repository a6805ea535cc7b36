# unitwatchd for nixpkgs' callPackage, built from this checkout:
#   unitwatch = final.callPackage ./unitwatch/packaging/package.nix { };
{
  lib,
  stdenv,
  pkg-config,
  systemd,
  libmicrohttpd,
  jansson,
  zlib,
  curl,
  gnutls,
  criterion,
}:

stdenv.mkDerivation {
  pname = "unitwatch";
  version = "0.1.0";

  # The tree without .git, result links and editor leftovers (cleanSource), and without a
  # local build/ directory, so a stale object never reaches the build, nor the browser tests'
  # node_modules (tests/web: not needed to build).
  src = lib.cleanSourceWith {
    name = "unitwatch-source";
    src = lib.cleanSource ../.;
    filter = path: _type: path != toString ../build && baseNameOf path != "node_modules";
  };

  strictDeps = true;
  enableParallelBuilding = true;

  nativeBuildInputs = [ pkg-config ];
  buildInputs = [
    systemd
    libmicrohttpd
    jansson
    zlib
    curl
    gnutls
  ];
  # Linked into the test binaries, so a host library rather than a build tool.
  checkInputs = [ criterion ];

  # `make` builds build/unitwatchd with the Makefile's own flags. CFLAGS stays unset on the
  # command line on purpose: the Makefile appends its warnings and defines to it.
  installFlags = [ "PREFIX=${placeholder "out"}" ];

  doCheck = true;
  # The unit tests of `make check-plain`, less what cannot run here: test-cases and the
  # case* tests of test-rates read ../shared/cases, which is not part of this source tree.
  # The sanitizer, Prometheus, host and VM tiers need more than a build sandbox gives.
  checkPhase = ''
    runHook preCheck

    tests=()
    for src in tests/unit/test-*.c; do
      name=$(basename "$src" .c)
      [ "$name" = test-cases ] || tests+=("build/tests/$name")
    done

    # TODO: drop this once test-render.c checks what getdelim() returns; with the
    # _FORTIFY_SOURCE of nixpkgs' hardening, glibc marks it warn_unused_result and a
    # (void) cast does not silence GCC.
    NIX_CFLAGS_COMPILE="''${NIX_CFLAGS_COMPILE:-} -Wno-error=unused-result" \
      make ''${enableParallelBuilding:+-j$NIX_BUILD_CORES} "''${tests[@]}"

    for t in "''${tests[@]}"; do
      echo "== $t"
      if [ "$t" = build/tests/test-rates ]; then
        "$t" --jobs "$NIX_BUILD_CORES" --filter '!(*/case*)'
      else
        "$t" --jobs "$NIX_BUILD_CORES"
      fi
    done

    runHook postCheck
  '';

  meta = {
    description = "Per-service resource use, limits and sandbox scores of systemd units, as Prometheus metrics and JSON";
    license = lib.licenses.mit;
    platforms = lib.platforms.linux;
    mainProgram = "unitwatchd";
  };
}
