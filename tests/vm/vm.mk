# VM test tier helpers, included from the top Makefile (which owns `vm-check`).
#   make vm-image        build or refresh the cached Debian 12 guest image only
#   make vm-clean-cache  drop the cached debootstrap tree and images
VM_CACHE ?= $(or $(UNITWATCH_VM_CACHE),$(or $(XDG_CACHE_HOME),/var/cache)/unitwatch-vm)

.PHONY: vm-image vm-clean-cache
vm-image:
	tests/vm/build-image.sh

vm-clean-cache:
	rm -rf $(VM_CACHE)
