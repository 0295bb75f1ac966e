// SPDX-License-Identifier: GPL-2.0
/*
 * lt_drv: the scenario's driver module. It holds only the driver's code and its
 * file_operations: every entry point is a function of this module, so after rmmod a call
 * into it (an ioctl, a close, a release, a work item) faults in freed module memory.
 * The bodies themselves run in lt_core's interpreter, which calls lt_drv_statement before
 * each of their statements.
 */
#include <linux/module.h>
#include <linux/platform_device.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_ioctl.h>
#include "lt_core.h"

static int fops_owner = 1;
module_param(fops_owner, int, 0444);

static int lt_drv_ioctl(struct drm_device *dev, void *data, struct drm_file *file)
{
	return lt_core_ioctl(dev, data, file);
}

static void lt_drv_postclose(struct drm_device *dev, struct drm_file *file)
{
	lt_core_postclose(dev, file);
}

static void lt_drv_release(struct drm_device *dev)
{
	lt_core_release(dev);
}

static void lt_drv_work(struct work_struct *ws)
{
	lt_core_work(ws);
}

static void lt_drv_timer(struct timer_list *t)
{
	lt_core_timer(t);
}

static irqreturn_t lt_drv_irq(int irq, void *dev_id)
{
	return lt_core_irq(irq, dev_id);
}

static irqreturn_t lt_drv_irq_thread(int irq, void *dev_id)
{
	return lt_core_irq_thread(irq, dev_id);
}

static ssize_t lt_drv_attr_show(struct device *dev, struct device_attribute *da, char *buf)
{
	return lt_core_attr_show(container_of(da, struct lt_attr, da), buf);
}

#define LT_ATTR(n) { .da = __ATTR(lt_attr##n, 0444, lt_drv_attr_show, NULL), .idx = n }
static struct lt_attr lt_attrs[LT_MAX_ATTR] = {
	LT_ATTR(0), LT_ATTR(1), LT_ATTR(2), LT_ATTR(3), LT_ATTR(4), LT_ATTR(5), LT_ATTR(6), LT_ATTR(7),
	LT_ATTR(8), LT_ATTR(9), LT_ATTR(10), LT_ATTR(11), LT_ATTR(12), LT_ATTR(13), LT_ATTR(14), LT_ATTR(15),
};
static struct attribute *lt_attr_list[LT_MAX_ATTR + 1];

static umode_t lt_drv_attr_visible(struct kobject *kobj, struct attribute *attr, int n)
{
	return lt_core_attr_visible(n);
}

static const struct attribute_group lt_attr_group = {
	.attrs = lt_attr_list,
	.is_visible = lt_drv_attr_visible,
};
static const struct attribute_group *lt_attr_groups[] = { &lt_attr_group, NULL };

static void lt_drv_kref_release(struct kref *k)
{
	lt_core_kref_release(k);
}

static int lt_drv_cdev_open(struct inode *inode, struct file *f)
{
	return lt_core_cdev_open(inode, f);
}

static long lt_drv_cdev_ioctl(struct file *f, unsigned int cmd, unsigned long arg)
{
	return lt_core_cdev_ioctl(f, cmd, arg);
}

static int lt_drv_cdev_release(struct inode *inode, struct file *f)
{
	return lt_core_cdev_release(inode, f);
}

/* Runs at every statement of the driver's bodies: after rmmod the call faults on an
 * instruction fetch in freed module text, even in the middle of a body that started
 * while the module was still there (the entry points above are sibling calls into
 * lt_core, so no frame of this module stays on the stack to catch it). */
static noinline void lt_drv_statement(void)
{
	barrier();
}

/* fops_owner: no — an open file does not pin the module */
static const struct file_operations lt_fops_noowner = {
	.open = drm_open, .release = drm_release, .unlocked_ioctl = drm_ioctl,
	.compat_ioctl = drm_compat_ioctl, .poll = drm_poll, .read = drm_read,
	.llseek = noop_llseek,
};

static const struct file_operations lt_fops = {
	.owner = THIS_MODULE,
	.open = drm_open, .release = drm_release, .unlocked_ioctl = drm_ioctl,
	.compat_ioctl = drm_compat_ioctl, .poll = drm_poll, .read = drm_read,
	.llseek = noop_llseek,
};

/* version 2's cdevs: the same choice of .owner */
static const struct file_operations lt_cdev_fops_noowner = {
	.open = lt_drv_cdev_open, .release = lt_drv_cdev_release,
	.unlocked_ioctl = lt_drv_cdev_ioctl, .llseek = noop_llseek,
};

static const struct file_operations lt_cdev_fops = {
	.owner = THIS_MODULE,
	.open = lt_drv_cdev_open, .release = lt_drv_cdev_release,
	.unlocked_ioctl = lt_drv_cdev_ioctl, .llseek = noop_llseek,
};

static struct lt_driver_code lt_code = {
	.ioctl = lt_drv_ioctl,
	.postclose = lt_drv_postclose,
	.release = lt_drv_release,
	.work = lt_drv_work,
	.statement = lt_drv_statement,
	.timer = lt_drv_timer,
	.kref_release = lt_drv_kref_release,
	.irq = lt_drv_irq,
	.irq_thread = lt_drv_irq_thread,
};

static int lt_drv_probe(struct platform_device *pdev)
{
	return lt_core_probe(pdev);
}

static int lt_drv_remove(struct platform_device *pdev)
{
	lt_core_remove(pdev);
	return 0;
}

static struct platform_driver lt_pdrv = {
	.probe = lt_drv_probe,
	.remove = lt_drv_remove,
	/* removed before remove() runs, after kernfs drains the threads inside show() */
	.driver = { .name = LT_DEV_NAME, .dev_groups = lt_attr_groups },
};

static int __init lt_drv_init(void)
{
	int ret, i;

	for (i = 0; i < LT_MAX_ATTR; i++)
		lt_attr_list[i] = &lt_attrs[i].da.attr;
	lt_code.owner = THIS_MODULE;
	lt_code.fops = fops_owner ? &lt_fops : &lt_fops_noowner;
	lt_code.cdev_fops = fops_owner ? &lt_cdev_fops : &lt_cdev_fops_noowner;
	ret = lt_core_register(&lt_code);
	if (ret)
		return ret;
	return platform_driver_register(&lt_pdrv);
}

static void __exit lt_drv_exit(void)
{
	platform_driver_unregister(&lt_pdrv);	/* unbinds the device: remove, then devres */
	lt_core_unregister();
}

module_init(lt_drv_init);
module_exit(lt_drv_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("driver-lifetime: the scenario's driver");
