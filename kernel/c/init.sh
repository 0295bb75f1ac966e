#!/bin/sh
# /init of the initramfs lifetime kernel boots (busybox-static): load drm, lt_core, then
# lt_run loads the program and the scenario's driver, runs the threads and ends QEMU.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
echo 8 > /proc/sys/kernel/printk                 # the boot is quiet; show every report from now on
echo 2 > /proc/sys/kernel/hung_task_timeout_secs # a task in D state for 2 s is reported
echo -1 > /proc/sys/kernel/hung_task_warnings    # every one of them
echo "LT-INIT kernel=$(uname -r) uptime=$(cut -d' ' -f1 /proc/uptime)"
[ -f /lib/drm.ko ] && { insmod /lib/drm.ko || echo "LT-FAIL insmod drm.ko"; }
insmod /lib/lt_core.ko || echo "LT-FAIL insmod lt_core.ko"
/bin/lt_run /prog.bin /names.txt /lib/lt_drv.ko $(cat /window)   # the window and the slowdown
echo "LT-FAIL lt_run returned"
sleep 1
echo o > /proc/sysrq-trigger
