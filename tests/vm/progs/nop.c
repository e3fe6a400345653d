// SPDX-License-Identifier: GPL-2.0
/* nop: exits 0 at once. A real exec for the churn scenarios. */
int main(void)
{
	return 0;
}
