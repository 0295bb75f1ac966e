/* SPDX-License-Identifier: GPL-2.0 */
/* What the scenario's driver module (lt_drv.c) and lt_core.c share. */
#ifndef LT_CORE_H
#define LT_CORE_H
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/workqueue.h>
#include <linux/timer.h>
#include <linux/kref.h>
#include <linux/interrupt.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>

/* The driver's code: every entry point of the driver module, so that a call after rmmod
 * lands in freed module text (code-after-unload), as in a real driver. */
struct lt_driver_code {
	struct module *owner;
	const struct file_operations *fops;
	int (*ioctl)(struct drm_device *dev, void *data, struct drm_file *file);
	void (*postclose)(struct drm_device *dev, struct drm_file *file);
	void (*release)(struct drm_device *dev);
	void (*work)(struct work_struct *ws);
	/* called before each statement of a handler, ioctl or work body: the bodies run in
	 * lt_core's interpreter, but each of their statements is the module's code
	 * (language.md §3), so one that runs after rmmod fetches freed module text */
	void (*statement)(void);
	/* version 2: a kernel timer's function, a kref's release, the cdev fops (with and
	 * without .owner, as fops_owner says); all the module's code */
	void (*timer)(struct timer_list *t);
	void (*kref_release)(struct kref *k);
	const struct file_operations *cdev_fops;
	irq_handler_t irq;		/* a hard IRQ handler */
	irq_handler_t irq_thread;	/* a threaded one */
};

/* version 2's sysfs attributes: lt_drv's dev_groups, lt_attr0..lt_attr15 (those past the
 * scenario's count are not visible) */
#define LT_MAX_ATTR 16
struct lt_attr {
	struct device_attribute da;
	int idx;
};
ssize_t lt_core_attr_show(struct lt_attr *a, char *buf);
umode_t lt_core_attr_visible(int n);

int lt_core_register(const struct lt_driver_code *code);
void lt_core_unregister(void);
int lt_core_probe(struct platform_device *pdev);
void lt_core_remove(struct platform_device *pdev);
int lt_core_ioctl(struct drm_device *dev, void *data, struct drm_file *file);
void lt_core_postclose(struct drm_device *dev, struct drm_file *file);
void lt_core_release(struct drm_device *dev);
void lt_core_work(struct work_struct *ws);
void lt_core_timer(struct timer_list *t);
irqreturn_t lt_core_irq(int irq, void *dev_id);
irqreturn_t lt_core_irq_thread(int irq, void *dev_id);
void lt_core_kref_release(struct kref *k);
int lt_core_cdev_open(struct inode *inode, struct file *f);
long lt_core_cdev_ioctl(struct file *f, unsigned int cmd, unsigned long arg);
int lt_core_cdev_release(struct inode *inode, struct file *f);
const char *lt_core_fops_owner_name(void);
#define LT_DEV_NAME "lt_gpu"
#endif
